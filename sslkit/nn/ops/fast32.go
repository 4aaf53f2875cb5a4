package ops

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernel32 is implemented by kernels with a float32-native path: on a
// float32 graph they read the inputs in place and write into memory their
// op owns and reuses from one run of the graph to the next, so a training
// step allocates no tensors after the first and converts nothing to
// float64 (sums and other reductions still accumulate in float64
// scalars). dst has the output's size and undefined contents: a kernel
// writes every element of it.
type kernel32 interface {
	forward32(st *state, dst []float32, in []arr) error
	// backward32 writes the gradient w.r.t. input wrt; st.fwd is the
	// forward op's state (what forward32 cached for it).
	backward32(st *state, dst []float32, in []arr, out, grad arr, wrt int) error
}

// arr is one float32 input of a kernel32 (ints for integer inputs). A
// scalar is a one-element f with a scalar shape.
type arr struct {
	f     []float32
	ints  []int
	shape tensor.Shape
}

// state is what one op (a forward op, or the gradient op for one input)
// keeps between runs: its output memory and kernel scratch.
type state struct {
	mu  sync.Mutex
	out []float32
	f32 [4][]float32
	f64 [4][]float64
	sc  [8][1]float32
	// fwd is the forward op's state, for gradient ops.
	fwd *state
	// cacheOf is the first input's memory when forward32 last cached
	// values (in f32/f64) for the gradient ops; they use the cache only
	// when they see the same memory (the same run).
	cacheOf *float32
	cacheB  *float32 // the second input's, for two-input caches
	// The float64 path's conversions of the inputs, kept between runs.
	bufs []buf
	conv [][]float64
}

// lock returns s locked, or a fresh state if another run holds s; call
// the returned unlock when done.
func (s *state) lock() (*state, func()) {
	if !s.mu.TryLock() {
		return &state{fwd: s.fwd}, func() {}
	}
	return s, s.mu.Unlock
}

// floats returns scratch slot i of n float32s, kept between runs
// (contents undefined).
func (s *state) floats(i, n int) []float32 {
	if cap(s.f32[i]) < n {
		s.f32[i] = make([]float32, n)
	}
	return s.f32[i][:n]
}

// zeros64 returns scratch slot i of n zeroed float64s, kept between runs.
func (s *state) zeros64(i, n int) []float64 {
	if cap(s.f64[i]) < n {
		s.f64[i] = make([]float64, n)
	}
	b := s.f64[i][:n]
	clear(b)
	return b
}

// cached reports whether the forward op's cache was made from x's memory.
func (s *state) cached(x []float32) bool {
	return s.fwd != nil && len(x) > 0 && s.fwd.cacheOf == &x[0]
}

// allFloat32 reports whether every float input (per specs, plus any
// extra trailing ones) is float32.
func allFloat32(vs []G.Value, specs []inputSpec) bool {
	for i, v := range vs {
		if i < len(specs) && specs[i].dtype != (tensor.Dtype{}) {
			continue
		}
		if v == nil || v.Dtype() != tensor.Float32 {
			return false
		}
	}
	return true
}

// run32 unpacks vs, runs f into st's reused output memory (fresh memory if
// another run holds st) and wraps the result as a value of shape.
func run32(st *state, vs []G.Value, shape func([]tensor.Shape) (tensor.Shape, error),
	f func(st *state, dst []float32, in []arr) error) (G.Value, error) {
	st, unlock := st.lock()
	defer unlock()
	var inBuf [8]arr
	var shBuf [8]tensor.Shape
	in, shapes := inBuf[:0], shBuf[:0]
	for i, v := range vs {
		a := arr{shape: v.Shape()}
		switch d := v.Data().(type) {
		case []float32:
			if t, ok := v.(tensor.Tensor); ok && t.RequiresIterator() {
				d = tensor.Materialize(t).Data().([]float32)
			}
			a.f = d
		case float32:
			if i >= len(st.sc) {
				return nil, fmt.Errorf("too many scalar inputs")
			}
			st.sc[i][0] = d
			a.f = st.sc[i][:]
		case []int:
			a.ints = d
		default:
			return nil, fmt.Errorf("input %d: unsupported value type %T", i, v.Data())
		}
		in, shapes = append(in, a), append(shapes, a.shape)
	}
	s, err := shape(shapes)
	if err != nil {
		return nil, err
	}
	n := s.TotalSize()
	if s.IsScalar() {
		n = 1
	}
	if cap(st.out) < n {
		st.out = make([]float32, n)
	}
	dst := st.out[:n]
	if err := f(st, dst, in); err != nil {
		return nil, err
	}
	if s.IsScalar() {
		return G.NewF32(dst[0]), nil
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(dst)), nil
}
