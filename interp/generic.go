package interp

import (
	"embed"
	"reflect"
	"regexp"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/interp/internal/symbols"
)

// The generic parts of the standard library that `yaegi extract` skips and
// that yaegi's own generic sources (Go 1.22) lack, written for yaegi to
// interpret: iterators, sorting, slices.Collect, maps.Keys and friends.
var (
	//go:embed generic/gosslgen.go.txt
	gosslgenMain string
	// Further files of package gosslgen, one a yaegi gap each.
	//go:embed generic/gosslgen_*.go.txt
	gosslgenParts embed.FS
	//go:embed generic/helpers.go.txt
	helpersSource string

	gosslgenSource = joinGosslgen()
)

// joinGosslgen is package gosslgen's source: gosslgen.go.txt and the
// gosslgen_*.go.txt files after it, which import nothing. Package
// gosslgen is compiled, never run, so only its generic functions work
// (each call compiles an instance): the others would return zero values.
func joinGosslgen() string {
	parts, err := gosslgenParts.ReadDir("generic")
	if err != nil {
		panic(err)
	}
	src := gosslgenMain
	for _, p := range parts {
		b, err := gosslgenParts.ReadFile("generic/" + p.Name())
		if err != nil {
			panic(err)
		}
		src += "\n" + strings.Replace(string(b), "package gosslgen", "", 1)
	}
	return src
}

// genericStdlib lists the functions of package gosslgen that stand for
// generic standard-library functions: "slices.Sort" is gosslgen.SlicesSort,
// "iter.Pull" gosslgen.IterPull.
var genericStdlib = map[string]bool{}

func init() {
	for _, m := range regexp.MustCompile(`(?m)^func (Slices|Maps|Iter)(\w+)\[`).FindAllStringSubmatch(gosslgenSource, -1) {
		genericStdlib[strings.ToLower(m[1])+"."+m[2]] = true
	}
}

// genericName is the gosslgen function for slices.Sort and friends.
func genericName(pkg, name string) string {
	return "_gosslgen." + strings.ToUpper(pkg[:1]) + pkg[1:] + name
}

// loadGenericSources compiles package gosslgen, before the prelude
// imports it, and makes the compiled stand-ins importable (the helpers
// import them).
func loadGenericSources(ip *yaegi.Interpreter) error {
	if err := ip.Use(standInExports); err != nil {
		return err
	}
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
