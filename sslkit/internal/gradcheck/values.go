package gradcheck

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float64s copies a gorgonia value (tensor or scalar, float32 or float64)
// into a new []float64.
func Float64s(v G.Value) ([]float64, error) {
	if v == nil {
		return nil, fmt.Errorf("no value (was the graph run?)")
	}
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out, nil
	case []float64:
		return append([]float64(nil), d...), nil
	case float32:
		return []float64{float64(d)}, nil
	case float64:
		return []float64{d}, nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v.Data())
}

// Projection returns sum(out ⊙ R) for a fixed pseudo-random R drawn from
// seed. Differentiating it gives every output element a distinct weight,
// so a gradient that mixes up elements cannot pass unnoticed (unlike a
// plain sum, whose upstream gradient is all ones).
func Projection(out *G.Node, seed int64) (*G.Node, error) {
	r := RandomTensor(out.Dtype(), out.Shape(), seed, 1)
	w := G.NewConstant(r, G.WithName(fmt.Sprintf("projection_%d", seed)))
	p, err := G.HadamardProd(out, w)
	if err != nil {
		return nil, err
	}
	return G.Sum(p)
}

// RandomTensor returns a tensor of the given dtype and shape with entries
// uniform in [-scale, scale), reproducible from seed.
func RandomTensor(dt tensor.Dtype, shape tensor.Shape, seed int64, scale float64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	n := shape.TotalSize()
	if dt == tensor.Float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = (2*rng.Float64() - 1) * scale
		}
		return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(d))
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = float32((2*rng.Float64() - 1) * scale)
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(d))
}

// RelErr is max|got-want| / max(max|want|, floor): the error relative to the
// reference's scale, which is how fixtures are compared ("1e-4 relative").
// Element-wise ratios would blow up on entries that are nearly zero.
func RelErr(got, want []float64, floor float64) (float64, error) {
	if len(got) != len(want) {
		return math.Inf(1), fmt.Errorf("length %d, want %d", len(got), len(want))
	}
	var maxDiff, maxRef float64
	for i := range got {
		if math.IsNaN(got[i]) {
			return math.Inf(1), fmt.Errorf("NaN at %d", i)
		}
		maxDiff = math.Max(maxDiff, math.Abs(got[i]-want[i]))
		maxRef = math.Max(maxRef, math.Abs(want[i]))
	}
	return maxDiff / math.Max(maxRef, floor), nil
}
