// Package interp is the Go session of the gossl kernel: the scope that a
// notebook's cells share, run by the yaegi interpreter, with yaegi's gaps
// closed so that cells behave like Go 1.26.
//
// A cell may mix imports, declarations and statements; it is cut into
// chunks at top-level boundaries (keeping each chunk at its line and column
// so errors point into the cell) and each chunk is rewritten where yaegi
// v0.16.1 falls short: per-iteration loop variables, range over integers
// and functions, goroutines that report their panics to the cell,
// top-level blocks that define names run in function literals (so they
// shadow, and `n, err := f()` in a loop works), top-level defers that run
// once when the cell ends, comma-ok forms that zero the value,
// definitions that index compiled values (t.Shape()[1]) or, with var,
// read the session's variables run in function literals too. min and max
// become generic functions interpreted from source, as do the generic
// standard-library functions that `yaegi extract` skips; the prelude adds
// clear. Redefining a function re-evaluates the declarations that call it.
//
// While a session lives it owns fds 1 and 2: everything written to them —
// by interpreted code, compiled packages or goroutines — reaches the running
// cell's Output as stream text, and stdin reads ask the frontend.
// The package never imports the kernel; Output mirrors kernel.Output.
//
// A user's mistake never costs the session (guard.go): functions declared
// in cells count their call depth and stop with a StackDepthError past
// Options.MaxCallDepth (GOSSL_MAX_DEPTH, default 100,000) instead of
// reaching Go's fatal stack overflow; make in a cell is checked against the
// memory limit (Options.MemoryLimit, GOSSL_MEMORY_LIMIT, default 75% of the
// machine or cgroup) and a watcher stops a cell whose allocations pass it,
// both with a MemoryError; runtime panics read as Go's ("invalid memory
// address or nil pointer dereference") at the faulting expression. Still
// fatal, and reported by the next kernel from its crash file: one compiled
// allocation larger than free memory, runaway recursion inside compiled
// code, the runtime's own fatal errors (concurrent map writes), SIGKILL.
//
// Known limits, all of yaegi v0.16.1 and not yet worked around:
// errors.As into a type declared in a cell panics; a second type parameter
// is not inferred from a func literal (write the type arguments out);
// iter.Pull is missing; goroutines started by compiled code that call
// back into interpreted code are not protected from panics.
package interp
