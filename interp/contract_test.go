package interp_test

import (
	"context"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp"
	"github.com/gossl/gossl/kernel"
)

// The kernel's Output is what Execute receives, and a Session has the
// rest of the Evaluator's methods with the same signatures: the root
// package's adapter (evaluator.go) only waits for the session to start
// and passes each call on.
var (
	_ interp.Output = kernel.Output(nil)
	_ interface {
		Execute(context.Context, string, interp.Output) (*display.Bundle, error)
		Complete(string, int) ([]string, int, int)
		Inspect(string, int, int) (*display.Bundle, error)
		IsComplete(string) (string, string)
		Close() error
	} = (*interp.Session)(nil)
	_ kernel.ErrorDetails = (*interp.CellError)(nil)
)
