package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// buf is a value unpacked to float64 for a kernel to work on. Kernels never
// write into the bufs they are given, so float64 inputs can be shared.
type buf struct {
	data  []float64
	shape tensor.Shape
	dt    tensor.Dtype
}

// unpack reads a gorgonia value (tensor or scalar) as float64s.
func unpack(v G.Value) (buf, error) {
	if v == nil {
		return buf{}, fmt.Errorf("ops: nil value")
	}
	// A strided view (e.g. a column slice) shares a larger backing array:
	// copy it out in logical order first.
	if d, ok := v.(*tensor.Dense); ok && d.RequiresIterator() {
		v = d.Materialize().(*tensor.Dense)
	}
	shape := v.Shape().Clone()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		parallelRows(len(d), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				out[i] = float64(d[i])
			}
		})
		return buf{out, shape, tensor.Float32}, nil
	case []float64:
		return buf{d, shape, tensor.Float64}, nil
	case float32:
		return buf{[]float64{float64(d)}, tensor.ScalarShape(), tensor.Float32}, nil
	case float64:
		return buf{[]float64{d}, tensor.ScalarShape(), tensor.Float64}, nil
	case []int:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return buf{out, shape, tensor.Int}, nil
	}
	return buf{}, fmt.Errorf("ops: unsupported value type %T", v.Data())
}

func unpackAll(vs []G.Value) ([]buf, error) {
	bs := make([]buf, len(vs))
	for i, v := range vs {
		b, err := unpack(v)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		bs[i] = b
	}
	return bs, nil
}

// newBuf allocates a zeroed buf.
func newBuf(shape tensor.Shape, dt tensor.Dtype) buf {
	n := shape.TotalSize()
	if shape.IsScalar() {
		n = 1
	}
	return buf{make([]float64, n), shape.Clone(), dt}
}

// value packs a buf into a gorgonia value of its dtype: a scalar for a
// scalar shape, otherwise a dense tensor.
func (b buf) value() G.Value {
	if b.shape.IsScalar() {
		if b.dt == tensor.Float32 {
			return G.NewF32(float32(b.data[0]))
		}
		return G.NewF64(b.data[0])
	}
	if b.dt == tensor.Float32 {
		d := make([]float32, len(b.data))
		parallelRows(len(d), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] = float32(b.data[i])
			}
		})
		return tensor.New(tensor.WithShape(b.shape.Clone()...), tensor.WithBacking(d))
	}
	return tensor.New(tensor.WithShape(b.shape.Clone()...), tensor.WithBacking(b.data))
}

// addInto adds b element-wise into the tensor behind v (used by DoDiff to
// accumulate gradients).
func (b buf) addInto(v G.Value) error {
	switch d := v.Data().(type) {
	case []float32:
		if len(d) != len(b.data) {
			return fmt.Errorf("ops: gradient size %d, want %d", len(b.data), len(d))
		}
		for i, x := range b.data {
			d[i] += float32(x)
		}
	case []float64:
		if len(d) != len(b.data) {
			return fmt.Errorf("ops: gradient size %d, want %d", len(b.data), len(d))
		}
		for i, x := range b.data {
			d[i] += x
		}
	default:
		return fmt.Errorf("ops: cannot accumulate a gradient into %T", v.Data())
	}
	return nil
}
