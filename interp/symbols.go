package interp

import (
	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/interp/internal/symbols"
)

// Symbols returns the compiled symbol tables every session Uses, for
// benchmarks and tools outside interp (bare yaegi with the same imports);
// the map is shared, so callers must not modify it.
func Symbols() yaegi.Exports { return symbols.Symbols }
