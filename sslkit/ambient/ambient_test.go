package ambient

import (
	"context"
	"errors"
	"testing"
)

// A computation that joined the cell's context sees the interrupt even
// after the session has installed the next cell's context.
func TestJoinOutlivesTheNextCell(t *testing.T) {
	cell, interrupt := context.WithCancel(context.Background())
	restore := Set(cell)
	joined, stop := Join(context.Background())
	defer stop()
	restore() // the interrupted cell replied; the next one starts
	next, endNext := context.WithCancel(context.Background())
	defer endNext()
	defer Set(next)()
	interrupt()
	<-joined.Done()
	if !errors.Is(joined.Err(), context.Canceled) {
		t.Fatalf("joined: %v", joined.Err())
	}
	if Context().Err() != nil {
		t.Fatal("the next cell's context was cancelled too")
	}
}

func TestJoinFollowsItsOwnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	joined, stop := Join(ctx)
	defer stop()
	if joined.Err() != nil {
		t.Fatal("joined is done before anything was cancelled")
	}
	cancel()
	<-joined.Done()
	//lint:ignore SA1012 a nil ctx (the ambient context alone) is what is tested
	j, stop2 := Join(nil)
	defer stop2()
	if j.Err() != nil {
		t.Fatal("Join(nil) is done")
	}
}
