package gradcheck

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Options tune a finite-difference check. Zero values pick defaults that
// suit the node's dtype.
type Options struct {
	// Eps is the perturbation of central differences (default 1e-2 for
	// float32, 1e-6 for float64).
	Eps float64
	// RelTol and AbsTol bound |analytic-numeric| <= AbsTol + RelTol*max(|a|,|n|)
	// (defaults 2e-2 and 2e-3 for float32; 1e-6 and 1e-8 for float64).
	RelTol, AbsTol float64
	// MaxPerInput caps how many elements of each input are perturbed; they
	// are spread evenly over the tensor. 0 checks every element.
	MaxPerInput int
}

func (o Options) withDefaults(dt tensor.Dtype) Options {
	f32 := dt == tensor.Float32
	if o.Eps == 0 {
		o.Eps = pick(f32, 1e-2, 1e-6)
	}
	if o.RelTol == 0 {
		o.RelTol = pick(f32, 2e-2, 1e-6)
	}
	if o.AbsTol == 0 {
		o.AbsTol = pick(f32, 2e-3, 1e-8)
	}
	return o
}

func pick(f32 bool, a, b float64) float64 {
	if f32 {
		return a
	}
	return b
}

// Mismatch describes one element whose symbolic and numeric gradients differ.
type Mismatch struct {
	Input    string // name of the wrt node
	Index    int    // flat index into the input
	Analytic float64
	Numeric  float64
}

func (m Mismatch) String() string {
	return fmt.Sprintf("d/d%s[%d]: analytic %.6g, numeric %.6g", m.Input, m.Index, m.Analytic, m.Numeric)
}

// Error lists every mismatch found by Check.
type Error struct{ Mismatches []Mismatch }

func (e *Error) Error() string {
	s := fmt.Sprintf("gradcheck: %d gradient element(s) disagree with finite differences", len(e.Mismatches))
	for i, m := range e.Mismatches {
		if i == 5 {
			s += fmt.Sprintf("\n  … and %d more", len(e.Mismatches)-5)
			break
		}
		s += "\n  " + m.String()
	}
	return s
}

// Check differentiates the scalar cost with G.Grad with respect to wrt,
// runs the graph, and compares each gradient element with the central
// difference (f(x+eps)-f(x-eps))/2eps. Every wrt node must already hold a
// float32 or float64 tensor value (set it with G.Let or G.WithValue);
// values are restored afterwards. It returns *Error when gradients disagree.
//
// Check calls G.Grad, so call it on a graph that has not been
// differentiated for this cost yet.
func Check(cost *G.Node, wrt G.Nodes, opt Options) error {
	if cost == nil || len(wrt) == 0 {
		return fmt.Errorf("gradcheck: need a cost and at least one wrt node")
	}
	if !cost.IsScalar() {
		return fmt.Errorf("gradcheck: cost must be a scalar, has shape %v", cost.Shape())
	}
	opt = opt.withDefaults(cost.Dtype())
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return fmt.Errorf("gradcheck: symbolic gradient: %w", err)
	}
	vm := G.NewTapeMachine(cost.Graph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return fmt.Errorf("gradcheck: forward/backward run: %w", err)
	}
	analytic := make([][]float64, len(wrt))
	for i, gnode := range grads {
		if analytic[i], err = Float64s(gnode.Value()); err != nil {
			return fmt.Errorf("gradcheck: gradient of %s: %w", wrt[i].Name(), err)
		}
	}
	eval := func() (float64, error) {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, err
		}
		v, err := Float64s(cost.Value())
		if err != nil {
			return 0, err
		}
		return v[0], nil
	}
	var bad []Mismatch
	for i, n := range wrt {
		data, ok := n.Value().(tensor.Tensor)
		if !ok {
			return fmt.Errorf("gradcheck: %s holds no tensor value", n.Name())
		}
		size := data.Shape().TotalSize()
		if len(analytic[i]) != size {
			return fmt.Errorf("gradcheck: gradient of %s has %d elements, input %d", n.Name(), len(analytic[i]), size)
		}
		for _, j := range indices(size, opt.MaxPerInput) {
			orig, err := get(data, j)
			if err != nil {
				return err
			}
			set(data, j, orig+opt.Eps)
			plus, err1 := eval()
			set(data, j, orig-opt.Eps)
			minus, err2 := eval()
			set(data, j, orig)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("gradcheck: perturbed run: %v %v", err1, err2)
			}
			num := (plus - minus) / (2 * opt.Eps)
			a := analytic[i][j]
			if math.Abs(a-num) > opt.AbsTol+opt.RelTol*math.Max(math.Abs(a), math.Abs(num)) || math.IsNaN(a) {
				bad = append(bad, Mismatch{Input: n.Name(), Index: j, Analytic: a, Numeric: num})
			}
		}
	}
	if len(bad) > 0 {
		return &Error{Mismatches: bad}
	}
	return nil
}

// indices spreads at most max indices evenly over [0,size).
func indices(size, max int) []int {
	if max <= 0 || max >= size {
		out := make([]int, size)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, max)
	for k := range out {
		out[k] = k * size / max
	}
	return out
}

func get(t tensor.Tensor, i int) (float64, error) {
	switch d := t.Data().(type) {
	case []float32:
		return float64(d[i]), nil
	case []float64:
		return d[i], nil
	case float32:
		return float64(d), nil
	case float64:
		return d, nil
	}
	return 0, fmt.Errorf("gradcheck: unsupported dtype %v", t.Dtype())
}

func set(t tensor.Tensor, i int, v float64) {
	switch d := t.Data().(type) {
	case []float32:
		d[i] = float32(v)
	case []float64:
		d[i] = v
	}
}
