package interp

import (
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// globals returns the session's global variables and constants. yaegi's
// Globals panics (index out of range) when a cell that failed to compile
// left symbols behind without frame slots; those names are simply not
// there yet, so the panic is read as "no globals known" rather than
// failing the next cell.
func globals(ip *yaegi.Interpreter) (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return ip.Globals()
}
