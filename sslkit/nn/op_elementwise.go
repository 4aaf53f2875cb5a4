package nn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/ops"
)

// elemOp applies a scalar function to every element of a float32 tensor.
// If df is set, the op is differentiable: its gradient is grad ⊙ df(x),
// computed by a second elemOp without a derivative of its own.
type elemOp struct {
	name string
	f    func(float64) float64
	df   func(float64) float64
}

func (op elemOp) Arity() int { return 1 }
func (op elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%s: cannot infer shape from %T", op.name, in[0])
	}
	return s.Clone(), nil
}
func (op elemOp) Do(vals ...G.Value) (G.Value, error) {
	t, ok := vals[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("%s: want a tensor, got %T", op.name, vals[0])
	}
	in, ok := t.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("%s: want float32, got %v", op.name, t.Dtype())
	}
	out := make([]float32, len(in))
	ops.ParallelFor(len(in), 16, func(lo, hi int) {
		for i, x := range in[lo:hi] {
			out[lo+i] = float32(op.f(float64(x)))
		}
	})
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out)), nil
}
func (op elemOp) ReturnsPtr() bool      { return false }
func (op elemOp) CallsExtern() bool     { return false }
func (op elemOp) OverwritesInput() int  { return -1 }
func (op elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "sslkit.%s", op.name) }
func (op elemOp) Hashcode() uint32      { return hashOf(op) }
func (op elemOp) String() string        { return op.name }

func (op elemOp) DiffWRT(int) []bool { return []bool{op.df != nil} }
func (op elemOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.df == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.name)
	}
	d, err := G.ApplyOp(elemOp{name: op.name + "′", f: op.df}, inputs[0])
	if err != nil {
		return nil, err
	}
	g, err := G.HadamardProd(grad, d)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// relu is max(0, x) as one reused-output op on all cores, with a gradient
// op (dy where x > 0) of the same kind. gorgonia's Rectify builds a
// comparison tensor and a product for its gradient, each a fresh
// allocation per step; this is one pass each way.
func relu(x *G.Node) (*G.Node, error) {
	if x.Dtype() != tensor.Float32 {
		return G.Rectify(x)
	}
	xs := x.Shape().Clone()
	r := xs.Dims()
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	fwd := &kernelOp{
		name: fmt.Sprintf("ReLU x%v", xs), arity: 1, diff: []bool{true}, shape: same, dims: []int{r, r},
		do: func(out []float32, in [][]float32, _ []tensor.Shape) {
			src := in[0]
			ops.ParallelFor(len(out), 1, func(lo, hi int) {
				for i, v := range src[lo:hi] {
					if v > 0 {
						out[lo+i] = v
					} else {
						out[lo+i] = 0
					}
				}
			})
		},
	}
	fwd.grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(newReuseOp(&kernelOp{
			name: fmt.Sprintf("ReLUGrad x%v", xs), arity: 2, shape: same, dims: []int{r, r, r},
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xv, g := in[0], in[1]
				ops.ParallelFor(len(out), 1, func(lo, hi int) {
					for i, v := range xv[lo:hi] {
						if v > 0 {
							out[lo+i] = g[lo+i]
						} else {
							out[lo+i] = 0
						}
					}
				})
			},
		}, false), inputs[0], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x)
}
