package ops

import "github.com/gossl/gossl/sslkit/nn/internal/customop"

// ParallelFor splits [0, n) into contiguous chunks run on up to GOMAXPROCS
// goroutines (the caller's among them) and returns when all are done. work
// is the rough cost of one index in element operations; jobs under about
// 32k operations run inline, where starting goroutines would cost more
// than it saves. Chunks are disjoint, so f needs no locking when it writes
// only its own indices.
//
// sslkit calls GEMMs (which OpenBLAS or gonum parallelise themselves)
// outside ParallelFor, never inside it, so the two never oversubscribe.
func ParallelFor(n, work int, f func(lo, hi int)) { customop.ParallelFor(n, work, f) }

func parallelRows(n, work int, f func(lo, hi int)) { customop.ParallelFor(n, work, f) }
