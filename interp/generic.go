package interp

import (
	_ "embed"
	"reflect"
	"regexp"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/interp/symbols"
)

// The generic parts of the standard library that `yaegi extract` skips and
// that yaegi's own generic sources (Go 1.22) lack, written for yaegi to
// interpret: iterators, sorting, slices.Collect, maps.Keys and friends.
var (
	//go:embed generic/stdlib.go.txt
	stdlibGenericSource string
	//go:embed generic/helpers.go.txt
	helpersSource string
)

// genericStdlib lists the functions of generic/stdlib.go.txt: a call of
// slices.Sort is rewritten to _gossl_slices_Sort.
var genericStdlib = map[string]bool{}

func init() {
	for _, m := range regexp.MustCompile(`(?m)^func _gossl_(\w+?)_(\w+)\[`).FindAllStringSubmatch(stdlibGenericSource, -1) {
		genericStdlib[m[1]+"."+m[2]] = true
	}
}

// loadGenericSources interprets the generic functions, after the prelude.
func loadGenericSources(ip *yaegi.Interpreter) error {
	for _, src := range []string{stdlibGenericSource, helpersSource} {
		if _, err := ip.Eval(src); err != nil {
			return err
		}
	}
	return nil
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
