package customop

import (
	"runtime"
	"sync"
)

// ParallelFor splits [0, n) into contiguous chunks run on up to GOMAXPROCS
// goroutines (the caller's among them) and returns when all are done. work
// is the rough cost of one index in element operations; jobs under about
// 32k operations run inline, where starting goroutines would cost more
// than it saves. Chunks are disjoint, so f needs no locking when it writes
// only its own indices.
//
// sslkit calls GEMMs (which OpenBLAS or gonum parallelise themselves)
// outside ParallelFor, never inside it, so the two never oversubscribe.
func ParallelFor(n, work int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers < 2 || n*work < 1<<15 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := chunk; lo < n; lo += chunk {
		hi := lo + chunk
		if hi > n {
			hi = n
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, hi)
	}
	f(0, chunk)
	wg.Wait()
}
