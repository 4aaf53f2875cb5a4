package ops

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Grad is gorgonia.Grad for a list of inputs that may include detached
// ones. gorgonia.Grad fails with "Non Differentiable WRTs" when one input
// reaches the cost only through an op without a gradient (StopGradient,
// the target of BYOL, a MoCo key or queue, a frozen teacher) or does not
// reach it at all; PyTorch gives such an input a zero (or no) gradient.
// Grad returns, in wrt order, gorgonia's gradient node for every input the
// cost depends on differentiably and, for every detached input, a constant
// zero node of its shape and dtype named
//
//	"zero gradient of NAME (detached: REASON)"
//
// with REASON "reaches the cost only through ops without a gradient, such
// as StopGradient" or "does not reach the cost". Read the gradients from
// the returned nodes after running the graph (a detached input's own
// Node.Grad stays unset). Other errors of gorgonia.Grad — a non-scalar
// cost, a wrt that is not an input node — are returned with the index of
// the offending input.
func Grad(cost *G.Node, wrt ...*G.Node) (G.Nodes, error) {
	if cost == nil {
		return nil, fmt.Errorf("ops.Grad: nil cost")
	}
	for i, n := range wrt {
		if n == nil {
			return nil, fmt.Errorf("ops.Grad: input %d is nil", i)
		}
		if n.Graph() != cost.Graph() {
			return nil, fmt.Errorf("ops.Grad: input %d (%s) belongs to another graph than the cost", i, n.Name())
		}
	}
	detached := map[*G.Node]bool{}
	for {
		var live G.Nodes
		for _, n := range wrt {
			if !detached[n] {
				live = append(live, n)
			}
		}
		var grads G.Nodes
		if len(live) > 0 {
			var err error
			grads, err = G.Grad(cost, live...)
			var sd G.SymDiffError
			if errors.As(err, &sd) && len(sd.Nodes()) > 0 && allIn(sd.Nodes(), live) {
				for _, n := range sd.Nodes() {
					detached[n] = true
				}
				continue // gorgonia refused before building anything: retry without them
			}
			if err != nil {
				return nil, fmt.Errorf("ops.Grad: %w", err)
			}
		}
		out := make(G.Nodes, len(wrt))
		k := 0
		for i, n := range wrt {
			if !detached[n] {
				out[i] = grads[k]
				k++
				continue
			}
			z, err := zeroGrad(cost, n)
			if err != nil {
				return nil, fmt.Errorf("ops.Grad: input %d (%s): %w", i, n.Name(), err)
			}
			out[i] = z
		}
		return out, nil
	}
}

func allIn(bad, live G.Nodes) bool {
	set := make(map[*G.Node]bool, len(live))
	for _, n := range live {
		set[n] = true
	}
	for _, n := range bad {
		if !set[n] {
			return false
		}
	}
	return true
}

// zeroGrad returns a constant zero like x in x's graph, named with the
// reason x has no gradient.
func zeroGrad(cost, x *G.Node) (*G.Node, error) {
	reason := "does not reach the cost"
	if reaches(cost, x) {
		reason = "reaches the cost only through ops without a gradient, such as StopGradient"
	}
	name := fmt.Sprintf("zero gradient of %s (detached: %s)", x.Name(), reason)
	dt := x.Dtype()
	var v interface{}
	if x.Shape().IsScalar() {
		switch dt {
		case tensor.Float32:
			v = float32(0)
		case tensor.Float64:
			v = float64(0)
		default:
			return nil, fmt.Errorf("dtype %v, want Float32 or Float64", dt)
		}
	} else {
		if dt != tensor.Float32 && dt != tensor.Float64 {
			return nil, fmt.Errorf("dtype %v, want Float32 or Float64", dt)
		}
		v = tensor.New(tensor.Of(dt), tensor.WithShape(x.Shape().Clone()...))
	}
	return x.Graph().AddNode(G.NewConstant(v, G.WithName(name))), nil
}

// reaches reports whether x is among the nodes cost is computed from.
func reaches(cost, x *G.Node) bool {
	g := cost.Graph()
	seen := map[int64]bool{}
	stack := []int64{cost.ID()}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == x.ID() {
			return true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		it := g.From(id)
		for it.Next() {
			stack = append(stack, it.Node().ID())
		}
	}
	return false
}
