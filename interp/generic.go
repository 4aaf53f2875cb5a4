package interp

import (
	_ "embed"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/interp/symbols"
)

// The generic parts of the standard library that `yaegi extract` skips and
// that yaegi's own generic sources (Go 1.22) lack, written for yaegi to
// interpret: iterators, sorting, slices.Collect, maps.Keys and friends.
var (
	//go:embed generic/iter.go.txt
	iterSource string
	//go:embed generic/slices.go.txt
	slicesSource string
	//go:embed generic/maps.go.txt
	mapsSource string
	//go:embed generic/helpers.go.txt
	helpersSource string
)

func loadGenericSources(ip *yaegi.Interpreter) error {
	for _, src := range []string{iterSource, slicesSource, mapsSource} {
		if _, err := ip.Compile(src); err != nil {
			return err
		}
	}
	_, err := ip.Eval(helpersSource)
	return err
}

// symbolsFor returns the compiled symbols of an import path.
func symbolsFor(path string) map[string]reflect.Value {
	for key, syms := range symbols.Symbols {
		if len(key) > len(path) && key[:len(path)] == path && key[len(path)] == '/' && !containsSlash(key[len(path)+1:]) {
			return syms
		}
	}
	return nil
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return true
		}
	}
	return false
}
