package interp

import "github.com/gossl/gossl/display"

// Output is where a running cell's output goes. It has the method set of
// kernel.Output, declared here so that interp does not import the kernel.
type Output interface {
	display.Publisher
	// Stream appends text to the cell's "stdout" or "stderr" stream.
	Stream(name, text string)
	// Input asks the user for one line; it fails when stdin is not allowed.
	Input(prompt string, password bool) (string, error)
}
