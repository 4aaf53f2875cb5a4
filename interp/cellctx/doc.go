// Package cellctx carries the context of the notebook cell that is running,
// so that long compiled operations (sslkit training loops, embeddings) can
// stop when the user interrupts the cell. It has no dependencies, so any
// library may import it without importing the interpreter; outside a
// notebook Context returns context.Background and nothing ever cancels it.
package cellctx
