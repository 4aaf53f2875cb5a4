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

// Join returns a context that is done when ctx is done or when the ambient
// context in force at the call is (the cell that started the computation
// was interrupted). Long calls join on entry: an interrupted cell replies
// at once, and the session may install the next cell's context before a
// compiled call that is still running has looked, so reading Context later
// could miss the interrupt. Call the returned function when done.
func Join(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	amb := Context()
	joined, cancel := context.WithCancelCause(ctx)
	if amb.Done() == nil {
		return joined, func() { cancel(context.Canceled) }
	}
	stop := context.AfterFunc(amb, func() { cancel(context.Cause(amb)) })
	return joined, func() {
		stop()
		cancel(context.Canceled)
	}
}

// Err is ctx's error, or the running cell's when the user interrupted it:
// what a long loop checks between steps (ctx may be context.Background()).
func Err(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return Context().Err()
}
