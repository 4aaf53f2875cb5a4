package interp

import "github.com/gossl/gossl/display"

// Inspect returns help on the symbol at cursor; see kernel.Evaluator.
func (s *Session) Inspect(code string, cursor, detail int) (*display.Bundle, error) {
	return nil, nil
}
