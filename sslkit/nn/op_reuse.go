package nn

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// reuseOp is a kernelOp that writes every run into the same output memory
// (planned on the first run), so that a training step allocates no new
// activations after the first one. gorgonia's tape machine already treats
// an intermediate node's memory as scratch that later ops may overwrite,
// and gorgonia.Read copies, so a caller that reads results the documented
// way never sees the difference. If a second run of the same op starts
// while one is in progress (two machines on one graph), it gets fresh
// memory instead.
type reuseOp struct {
	*kernelOp
	// zero: do accumulates into out, which must start at zero.
	zero bool

	mu  sync.Mutex
	out []float32
}

func newReuseOp(k *kernelOp, zero bool) *reuseOp { return &reuseOp{kernelOp: k, zero: zero} }

func (op *reuseOp) Do(vals ...G.Value) (G.Value, error) {
	// A notebook interrupt stops a long forward/backward pass at the next op.
	if err := ambient.Context().Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	var inBuf [4][]float32
	var shBuf [4]tensor.Shape
	in, shapes := inBuf[:0], shBuf[:0]
	if len(vals) > len(inBuf) {
		in, shapes = make([][]float32, 0, len(vals)), make([]tensor.Shape, 0, len(vals))
	}
	for i, v := range vals {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %T, want a tensor", op.name, i, v)
		}
		d, ok := t.Data().([]float32)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %v, want float32", op.name, i, t.Dtype())
		}
		if t.RequiresIterator() { // a view (e.g. a transpose): copy it out
			m, ok := tensor.Materialize(t).(tensor.Tensor)
			if !ok {
				return nil, fmt.Errorf("%s: cannot materialise input %d", op.name, i)
			}
			d, _ = m.Data().([]float32)
		}
		in, shapes = append(in, d), append(shapes, t.Shape())
	}
	s, err := op.shape(shapes)
	if err != nil {
		return nil, err
	}
	size := s.TotalSize()
	var out []float32
	if op.mu.TryLock() {
		defer op.mu.Unlock()
		if len(op.out) != size {
			op.out = make([]float32, size)
		} else if op.zero {
			clearParallel(op.out)
		}
		out = op.out
	} else {
		out = make([]float32, size)
	}
	op.do(out, in, shapes)
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), nil
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
