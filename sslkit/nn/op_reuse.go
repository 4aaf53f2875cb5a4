package nn

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// reuseOp is a kernelOp that writes every run into the same output memory,
// allocated on its first run, so that a training step allocates no new
// activations after the first one. This is safe for the way sslkit (and
// gorgonia's documentation) runs a graph repeatedly, with the tape
// machine's Reset between runs: each op runs once per run, its previous
// output is dead by then, and gorgonia.Read copies results out. If a
// second run of the same op starts while one is in progress (two machines
// on one graph), it gets fresh memory instead.
type reuseOp struct {
	*kernelOp
	// zero: do accumulates into out, which must start at zero.
	zero bool

	mu  sync.Mutex
	out []float32
}

// newReuseOp also makes the process's GEMM choice (sslkit/gemm) if none
// was made yet: building a graph with sslkit's ops is the "first use" after
// which gorgonia's own matmuls run on the chosen BLAS too.
func newReuseOp(k *kernelOp, zero bool) *reuseOp {
	gemm.Install()
	return &reuseOp{kernelOp: k, zero: zero}
}

func (op *reuseOp) Do(vals ...G.Value) (G.Value, error) {
	if op.mu.TryLock() {
		defer op.mu.Unlock()
		v, out, err := op.run(op.out, vals)
		op.out = out
		return v, err
	}
	v, _, err := op.run(nil, vals)
	return v, err
}

// run computes the op into out, or into fresh memory when out is nil or
// of the wrong size, and returns the memory it used.
func (op *reuseOp) run(out []float32, vals []G.Value) (G.Value, []float32, error) {
	// A notebook interrupt stops a long forward/backward pass at the next op.
	if err := ambient.Context().Err(); err != nil {
		return nil, out, fmt.Errorf("%s: %w", op.name, err)
	}
	var inBuf [4][]float32
	var shBuf [4]tensor.Shape
	in, shapes := inBuf[:0], shBuf[:0]
	for i, v := range vals {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, out, fmt.Errorf("%s: input %d is %T, want a tensor", op.name, i, v)
		}
		d, ok := t.Data().([]float32)
		if !ok {
			return nil, out, fmt.Errorf("%s: input %d is %v, want float32", op.name, i, t.Dtype())
		}
		if t.RequiresIterator() { // a view (e.g. a transpose): copy it out
			m, ok := tensor.Materialize(t).(tensor.Tensor)
			if !ok {
				return nil, out, fmt.Errorf("%s: cannot materialise input %d", op.name, i)
			}
			d, _ = m.Data().([]float32)
		}
		in, shapes = append(in, d), append(shapes, t.Shape())
	}
	s, err := op.shape(shapes)
	if err != nil {
		return nil, out, err
	}
	if size := s.TotalSize(); len(out) != size {
		out = make([]float32, size)
	} else if op.zero {
		clearParallel(out)
	}
	op.do(out, in, shapes)
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), out, nil
}

// clearParallel zeroes s on all cores.
func clearParallel(s []float32) {
	ops.ParallelFor(len(s), 1, func(lo, hi int) { clear(s[lo:hi]) })
}

// Scratch memory shared by the kernels (unfolded images, per-chunk
// products): a free list that keeps its buffers for the life of the
// process, so steady-state steps allocate nothing. At most a few buffers
// are in use at once, so it holds little more than the largest of them.
var scratchPool struct {
	sync.Mutex
	free [][]float32
}

// getScratch returns a slice of n floats (contents undefined); give it
// back with putScratch.
func getScratch(n int) []float32 {
	scratchPool.Lock()
	defer scratchPool.Unlock()
	best := -1
	for i, b := range scratchPool.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(scratchPool.free[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]float32, n)
	}
	b := scratchPool.free[best]
	last := len(scratchPool.free) - 1
	scratchPool.free[best] = scratchPool.free[last]
	scratchPool.free = scratchPool.free[:last]
	return b[:n]
}

func putScratch(b []float32) {
	scratchPool.Lock()
	defer scratchPool.Unlock()
	if len(scratchPool.free) >= 16 { // drop the smallest
		small := 0
		for i, f := range scratchPool.free {
			if cap(f) < cap(scratchPool.free[small]) {
				small = i
			}
		}
		if cap(b) <= cap(scratchPool.free[small]) {
			return
		}
		scratchPool.free[small] = b
		return
	}
	scratchPool.free = append(scratchPool.free, b)
}
