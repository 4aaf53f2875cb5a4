package eval

import (
	"context"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// similarityBudget bounds the floats of one worker's similarity chunk
// (8 Mi floats = 32 MiB), so a 10k × 60k similarity matrix is never held
// whole: memory is workers × 32 MiB whatever the dataset size. (A variable
// so tests can force many small chunks.)
var similarityBudget = 8 << 20

// chunkRows is how many query rows one chunk of similarities against n
// gallery rows holds.
func chunkRows(n int) int {
	r := similarityBudget / max(n, 1)
	return min(max(r, 1), 512)
}

// similarityChunks computes q·gᵀ chunk by chunk on all cores and calls
// fn(worker, r0, r1, sims) for query rows [r0, r1), with sims holding
// (r1-r0)×g.N similarities row-major. Calls run concurrently on disjoint
// rows; worker (0 ≤ worker < workers()) lets fn keep per-worker scratch.
// The chunk buffer is reused after fn returns.
func similarityChunks(ctx context.Context, q, g *Features, fn func(worker, r0, r1 int, sims []float32)) error {
	rows := chunkRows(g.N)
	nw := workers()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]float32, rows*g.N)
			for r0 := range next {
				r1 := min(r0+rows, q.N)
				sims := buf[:(r1-r0)*g.N]
				gemmNT(q.Data[r0*q.D:r1*q.D], r1-r0, g.Data, g.N, q.D, sims)
				fn(w, r0, r1, sims)
			}
		}(w)
	}
	var err error
	for r0 := 0; r0 < q.N; r0 += rows {
		if err = stopped(ctx); err != nil {
			break
		}
		next <- r0
	}
	close(next)
	wg.Wait()
	return err
}

// gemmNT sets c (m×n) to a (m×k) · bᵀ with b n×k, all row-major.
func gemmNT(a []float32, m int, b []float32, n, k int, c []float32) {
	if m == 0 || n == 0 {
		return
	}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: n, Cols: k, Stride: k, Data: b},
		0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

func workers() int { return max(runtime.GOMAXPROCS(0), 1) }
