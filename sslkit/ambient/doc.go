// Package ambient carries the context of the computation that is running
// when no context.Context can be passed down: gorgonia's Op.Do takes none,
// so sslkit's ops ask this package whether to stop. The gossl session sets
// it around each notebook cell (an interrupt cancels it); plain Go programs
// may set it too. It has no dependencies, so sslkit stays free of the
// interpreter; when nothing sets it, Context returns context.Background.
package ambient
