package ambient

import (
	"context"
	"sync/atomic"
)

var current atomic.Pointer[context.Context]

// Context returns the context of the running cell, cancelled when the user
// interrupts it. Long loops in compiled code should check Err or Done.
func Context() context.Context {
	if p := current.Load(); p != nil {
		return *p
	}
	return context.Background()
}

// Interrupted reports whether the running cell has been interrupted: a
// cheap check for the inner loop of a long computation.
func Interrupted() bool { return Context().Err() != nil }

// Set makes ctx the running cell's context and returns a function that
// restores the previous one. The Go session calls it around each cell.
func Set(ctx context.Context) (restore func()) {
	prev := current.Swap(&ctx)
	return func() { current.Store(prev) }
}
