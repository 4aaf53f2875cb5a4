package symbols

import "reflect"

// Symbols maps "importpath/name" to the exported symbols of a compiled
// package, in the shape interp.Use expects. The generated files fill it.
var Symbols = map[string]map[string]reflect.Value{}

//go:generate ./generate.sh
