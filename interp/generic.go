package interp

import (
	_ "embed"
	"reflect"
	"regexp"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/interp/symbols"
)

// The generic parts of the standard library that `yaegi extract` skips and
// that yaegi's own generic sources (Go 1.22) lack, written for yaegi to
// interpret: iterators, sorting, slices.Collect, maps.Keys and friends.
var (
	//go:embed generic/gosslgen.go.txt
	gosslgenSource string
	//go:embed generic/helpers.go.txt
	helpersSource string
)

// genericStdlib lists the functions of package gosslgen that stand for
// generic standard-library functions: "slices.Sort" is gosslgen.SlicesSort.
var genericStdlib = map[string]bool{}

func init() {
	for _, m := range regexp.MustCompile(`(?m)^func (Slices|Maps)(\w+)\[`).FindAllStringSubmatch(gosslgenSource, -1) {
		genericStdlib[strings.ToLower(m[1])+"."+m[2]] = true
	}
}

// genericName is the gosslgen function for slices.Sort and friends.
func genericName(pkg, name string) string {
	return "_gosslgen." + strings.ToUpper(pkg[:1]) + pkg[1:] + name
}

// loadGenericSources compiles package gosslgen, before the prelude
// imports it.
func loadGenericSources(ip *yaegi.Interpreter) error {
	_, err := ip.Compile(gosslgenSource)
	return err
}

// loadHelpers interprets the helpers of package main, after the prelude.
func loadHelpers(ip *yaegi.Interpreter) error {
	_, err := ip.Eval(helpersSource)
	return err
}

// symbolsByPath indexes the symbol tables, keyed "importpath/name" as yaegi
// has them, by import path alone: cell rewriting asks for them per cell.
var symbolsByPath = sync.OnceValue(func() map[string]map[string]reflect.Value {
	byPath := make(map[string]map[string]reflect.Value, len(symbols.Symbols))
	for key, syms := range symbols.Symbols {
		if i := strings.LastIndexByte(key, '/'); i > 0 {
			byPath[key[:i]] = syms
		}
	}
	return byPath
})

// symbolsFor returns the compiled symbols of an import path.
func symbolsFor(path string) map[string]reflect.Value { return symbolsByPath()[path] }
