package ops

import (
	"runtime"
	"sync"
)

// parallelRows splits [0, n) into contiguous chunks run on up to GOMAXPROCS
// goroutines. work is the rough cost of one row in element operations;
// small jobs run inline, where goroutine start-up would cost more than
// it saves. Chunks write disjoint rows, so f needs no locking.
func parallelRows(n, work int, f func(lo, hi int)) {
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
	for lo := 0; lo < n; lo += chunk {
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
	wg.Wait()
}
