package eval

import (
	"context"
	"runtime"
	"sync"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
)

// similarityBudget bounds the floats of the similarity chunk (8 Mi floats
// = 32 MiB), so a 10k × 60k similarity matrix is never held whole: memory
// stays 32 MiB whatever the dataset size. (A variable so tests can force
// many small chunks.)
var similarityBudget = 8 << 20

// chunkRows is how many query rows one chunk of similarities against n
// gallery rows holds.
func chunkRows(n int) int {
	r := similarityBudget / max(n, 1)
	return min(max(r, 1), 1024)
}

// similarityChunks computes q·gᵀ chunk by chunk and calls
// fn(worker, r0, r1, sims) for query rows [r0, r1), with sims holding
// (r1-r0)×g.N similarities row-major. Each chunk is one matrix product
// (sslkit/gemm: OpenBLAS or gonum, which use all cores themselves), then
// its rows are split between workers() goroutines that call fn
// concurrently on disjoint rows; worker (0 ≤ worker < workers()) lets fn
// keep per-worker scratch. The two phases alternate, so the BLAS threads
// and the workers never compete for the cores.
func similarityChunks(ctx context.Context, q, g *Features, fn func(worker, r0, r1 int, sims []float32)) error {
	rows := min(chunkRows(g.N), max(q.N, 1))
	buf := make([]float32, rows*g.N)
	nw := workers()
	for c0 := 0; c0 < q.N; c0 += rows {
		if err := ambient.Err(ctx); err != nil {
			return err
		}
		c1 := min(c0+rows, q.N)
		sims := buf[:(c1-c0)*g.N]
		if g.N > 0 {
			gemm.Sgemm(false, true, c1-c0, g.N, q.D, 1, q.Data[c0*q.D:c1*q.D], q.D, g.Data, g.D, 0, sims, g.N)
		}
		var wg sync.WaitGroup
		for w := 0; w < nw; w++ {
			r0, r1 := c0+(c1-c0)*w/nw, c0+(c1-c0)*(w+1)/nw
			if r0 == r1 {
				continue
			}
			wg.Add(1)
			go func(w, r0, r1 int) {
				defer wg.Done()
				fn(w, r0, r1, sims[(r0-c0)*g.N:(r1-c0)*g.N])
			}(w, r0, r1)
		}
		wg.Wait()
	}
	return nil
}

func workers() int { return max(runtime.GOMAXPROCS(0), 1) }
