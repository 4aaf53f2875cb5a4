package interp

import (
	"os"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/internal/capture"
)

// Output is where a running cell's output goes. It has the method set of
// kernel.Output, declared here so that interp does not import the kernel.
type Output interface {
	display.Publisher
	// Stream appends text to the cell's "stdout" or "stderr" stream.
	Stream(name, text string)
	// Input asks the user for one line; it fails when stdin is not allowed.
	Input(prompt string, password bool) (string, error)
}

// orderedOutput keeps displays in their place among printed text. Printed
// text travels through the captured fds and is forwarded in batches, while
// a display goes out at once; so before each display, update or clear,
// everything the cell (interpreted code, compiled packages, goroutines)
// wrote to fds 1 and 2 is forwarded first.
type orderedOutput struct{ Output }

func (o orderedOutput) Display(b display.Bundle) error {
	capture.Drain()
	return o.Output.Display(b)
}

func (o orderedOutput) Update(b display.Bundle) error {
	capture.Drain()
	return o.Output.Update(b)
}

func (o orderedOutput) Clear(wait bool) error {
	capture.Drain()
	return o.Output.Clear(wait)
}

// writeStderr writes to fd 2, which is the running cell's stderr stream
// while a cell runs.
func writeStderr(s string) { os.Stderr.WriteString(s) }
