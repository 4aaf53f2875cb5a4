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
func unpack(v G.Value) (buf, error) { return unpackInto(nil, v) }

// unpackInto is unpack converting float32 and int data into into when it
// is large enough (nil: fresh memory).
func unpackInto(into []float64, v G.Value) (buf, error) {
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
		out := grow(into, len(d))
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
		out := grow(into, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return buf{out, shape, tensor.Int}, nil
	}
	return buf{}, fmt.Errorf("ops: unsupported value type %T", v.Data())
}

// grow returns b[:n] if b can hold n values, else fresh memory.
func grow(b []float64, n int) []float64 {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]float64, n)
}

func unpackAll(vs []G.Value) ([]buf, error) { return unpackAllInto(nil, vs) }

// unpackAllInto is unpackAll converting into memory st keeps between runs
// (st nil: fresh memory).
func unpackAllInto(st *state, vs []G.Value) ([]buf, error) {
	var bs []buf
	if st != nil {
		if cap(st.bufs) < len(vs) {
			st.bufs = make([]buf, len(vs))
		}
		bs = st.bufs[:len(vs)]
		for len(st.conv) < len(vs) {
			st.conv = append(st.conv, nil)
		}
	} else {
		bs = make([]buf, len(vs))
	}
	for i, v := range vs {
		var into []float64
		if st != nil {
			into = st.conv[i]
		}
		b, err := unpackInto(into, v)
		if st != nil && (b.dt == tensor.Float32 || b.dt == tensor.Int) && len(b.data) > 0 && cap(b.data) > cap(into) {
			st.conv[i] = b.data
		}
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

// valueInto packs a buf into a gorgonia value of its dtype (a scalar for a
// scalar shape, otherwise a dense tensor), writing a float32 tensor into
// memory st keeps between runs (st nil: fresh memory).
func (b buf) valueInto(st *state) G.Value {
	if b.shape.IsScalar() {
		if b.dt == tensor.Float32 {
			return G.NewF32(float32(b.data[0]))
		}
		return G.NewF64(b.data[0])
	}
	if b.dt == tensor.Float32 {
		var d []float32
		if st != nil {
			if cap(st.out) < len(b.data) {
				st.out = make([]float32, len(b.data))
			}
			d = st.out[:len(b.data)]
		} else {
			d = make([]float32, len(b.data))
		}
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
