package nn

import (
	"sync"

	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// newReuseOp makes op keep its output memory between runs (see
// customop.Op.Reuse), so that a training step allocates no new
// activations after the first one; zero: op's kernel accumulates into its
// output, which must start at zero. It also makes the process's GEMM
// choice (sslkit/gemm) if none was made yet: building a graph with
// sslkit's ops is the "first use" after which gorgonia's own matmuls run
// on the chosen BLAS too.
func newReuseOp(op *customop.Op, zero bool) *customop.Op {
	gemm.Install()
	op.Reuse, op.ZeroOut = true, zero
	return op
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
