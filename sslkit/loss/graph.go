package loss

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// constLike returns a scalar constant of x's dtype.
func constLike(x *G.Node, v float64) *G.Node {
	if x.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// scale returns x·c.
func scale(x *G.Node, c float64) (*G.Node, error) {
	if c == 1 {
		return x, nil
	}
	return G.HadamardProd(x, constLike(x, c))
}

// addConst returns x + c.
func addConst(x *G.Node, c float64) (*G.Node, error) {
	return G.Add(x, constLike(x, c))
}

// checkPair validates two embedding batches of one shape N×D.
func checkPair(what string, a, b *G.Node) error {
	if a == nil || b == nil {
		return fmt.Errorf("loss.%s: nil node", what)
	}
	if err := checkEmb(what, a); err != nil {
		return err
	}
	if !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("loss.%s: shapes %v and %v differ", what, a.Shape(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return fmt.Errorf("loss.%s: dtypes %v and %v differ", what, a.Dtype(), b.Dtype())
	}
	return nil
}

func checkEmb(what string, a *G.Node) error {
	if a == nil {
		return fmt.Errorf("loss.%s: nil node", what)
	}
	if a.Shape().Dims() != 2 {
		return fmt.Errorf("loss.%s: embeddings have shape %v, want N×D", what, a.Shape())
	}
	if dt := a.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("loss.%s: dtype %v, want Float32 or Float64", what, dt)
	}
	return nil
}

// positive checks an option that must be > 0; field is its name in the
// options struct and ctor the constructor of that struct's defaults, so
// the error tells a caller who filled a literal where to start from.
func positive(what, field, ctor string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("loss.%s: %s %g must be positive (start from loss.%s())", what, field, v, ctor)
	}
	return nil
}

// nonNegative checks an option that may be zero but not negative.
func nonNegative(what, field, ctor string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("loss.%s: %s %g must be ≥ 0 (start from loss.%s())", what, field, v, ctor)
	}
	return nil
}

// finite checks an option that may take any finite value.
func finite(what, field, ctor string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("loss.%s: %s %g must be finite (start from loss.%s())", what, field, v, ctor)
	}
	return nil
}

// buildErr carries an error out of a loss builder through panic, so the
// builders read as a formula rather than a ladder of error checks; build
// turns it (and any panic from gorgonia) back into an error.
type buildErr struct{ err error }

// m unwraps a (node, error) pair inside a build function.
func m(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(buildErr{err})
	}
	return n
}

// build runs f, returning the error of the first failing step.
func build(what string, f func() *G.Node) (out *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			if be, ok := r.(buildErr); ok {
				err = fmt.Errorf("loss.%s: %w", what, be.err)
			} else {
				err = fmt.Errorf("loss.%s: %v", what, r)
			}
			out = nil
		}
	}()
	return f(), nil
}
