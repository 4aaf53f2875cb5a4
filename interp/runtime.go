package interp

import (
	"fmt"
	"os"
	"reflect"
	"sync"

	"github.com/gossl/gossl/display"
)

// cellResult is what the cell's last expression produced, handed over
// through _gosslrt.Show (one value) or the prelude's _gosslShowN (the
// results of a call with several).
type cellResult struct {
	set    bool
	bundle *display.Bundle // the value rendered itself (display.Renderer)
	values []any
	single bool // the expression had one value
}

// runtimeState is the compiled side of the interpreted helpers: the
// functions the prelude calls through the "gosslrt" package.
type runtimeState struct {
	mu     sync.Mutex
	types  map[reflect.Type]string  // interpreted types by their reflect type
	kept   map[string]reflect.Value // values handed over by Keep
	result cellResult
	defers deferredCalls // registered by the running cell's top-level defers
	cell   int64         // the running cell's number, read by the live checks (see stalerun.go)
	s      *Session
}

func (rt *runtimeState) exports() map[string]map[string]reflect.Value {
	// Show receives a cell's single result. Through MapTypes yaegi wraps
	// interpreted values whose methods implement display.Renderer,
	// fmt.Stringer or error, so that compiled code sees those methods.
	show := reflect.ValueOf(func(v any) {
		if r, ok := v.(display.Renderer); ok && v != nil {
			b := r.Render()
			rt.mu.Lock()
			rt.result = cellResult{set: true, bundle: &b}
			rt.mu.Unlock()
			return
		}
		rt.mu.Lock()
		rt.result = cellResult{set: true, values: []any{v}}
		rt.mu.Unlock()
	})
	return map[string]map[string]reflect.Value{
		".": {"MapTypes": reflect.ValueOf(map[reflect.Value][]reflect.Type{
			show: {
				reflect.TypeOf((*display.Renderer)(nil)).Elem(),
				reflect.TypeOf((*fmt.Stringer)(nil)).Elem(),
				reflect.TypeOf((*error)(nil)).Elem(),
			},
		})},
		"gosslrt/gosslrt": {
			"Show": show,
			"NameType": reflect.ValueOf(func(name string, p any) {
				rt.mu.Lock()
				if rt.types == nil {
					rt.types = map[reflect.Type]string{}
				}
				rt.types[reflect.TypeOf(p).Elem()] = name
				rt.mu.Unlock()
			}),
			"Keep": reflect.ValueOf(func(name string, v any) {
				rt.mu.Lock()
				if rt.kept == nil {
					rt.kept = map[string]reflect.Value{}
				}
				rt.kept[name] = reflect.ValueOf(v)
				rt.mu.Unlock()
			}),
			"SetBundle": reflect.ValueOf(func(b display.Bundle) {
				rt.mu.Lock()
				rt.result = cellResult{set: true, bundle: &b}
				rt.mu.Unlock()
			}),
			"SetValues": reflect.ValueOf(func(vs []any) {
				rt.mu.Lock()
				rt.result = cellResult{set: true, values: vs}
				rt.mu.Unlock()
			}),
			"Defer":       reflect.ValueOf(rt.defers.add),
			"DeferFunc":   reflect.ValueOf(rt.defers.addFunc),
			"RunDeferred": reflect.ValueOf(rt.defers.run),
			"TooDeep":     reflect.ValueOf(rt.s.tooDeep),
			"Enter":       reflect.ValueOf(enterCall),
			"Leave":       reflect.ValueOf(leaveCall),
			"Alloc":       reflect.ValueOf(checkAlloc),
			"GoPanic":     reflect.ValueOf(func(v any, line, col int) { rt.s.goroutinePanic(v, line, col) }),
			"Clear":       reflect.ValueOf(clearValue),
			"Cell":        reflect.ValueOf(&rt.cell),
			"Stale":       reflect.ValueOf(endStaleRun),
			// print and println write to stderr, as Go's builtins do
			// (yaegi's go to stdout).
			"Print":   reflect.ValueOf(func(a ...any) { fmt.Fprint(os.Stderr, a...) }),
			"Println": reflect.ValueOf(func(a ...any) { fmt.Fprintln(os.Stderr, a...) }),
		},
		// iter's API is all generic (extract skips it); its types are
		// interpreted (_gosslIterSeq) and this makes the import valid.
		"iter/iter": {},
	}
}

func (rt *runtimeState) takeKept() map[string]reflect.Value {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	k := rt.kept
	rt.kept = nil
	return k
}

func (rt *runtimeState) take() cellResult {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	r := rt.result
	rt.result = cellResult{}
	return r
}

// clearValue implements the clear builtin for maps and slices, which yaegi
// v0.16.1 lacks; interpreted maps and slices are real reflect values.
func clearValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	case reflect.Invalid:
	default:
		panic(fmt.Sprintf("invalid argument: clear(%s): argument must be a map or a slice", rv.Type()))
	}
}

// prelude is interpreted once per session. Its names start with _gossl so
// they stay out of the user's way. min and max are rewritten to
// gosslgen.Min and Max.
const prelude = `package main

import (
	_gosslrt "gosslrt"
	_gossldisplay "github.com/gossl/gossl/display"
	_gosslgen "gosslgen"
)

// _gosslShowN receives the results of a call with several.
func _gosslShowN(vs ...any) { _gosslrt.SetValues(vs) }

// _gosslRecover is deferred by every goroutine a cell starts (the
// rewriter adds it with the go statement's position).
func _gosslRecover(line, col int) {
	if r := recover(); r != nil {
		_gosslrt.GoPanic(r, line, col)
	}
}

func clear(v any) { _gosslrt.Clear(v) }

// _gosslTooDeep is called by the depth guard of a cell function past the
// limit (see guard.go).
func _gosslTooDeep(fn string, line, col int) { _gosslrt.TooDeep(fn, line, col) }

// _gosslDeferFunc, _gosslDeferCall and _gosslDeferSpread register what
// a cell's top-level defers call: a closure, f(args) and f(args...) of a
// compiled f (see rewriteTopDefers). The session runs them when the cell
// ends, through _gosslrt.RunDeferred.
func _gosslDeferFunc(f func()) { _gosslrt.DeferFunc(f) }

func _gosslDeferCall(f any, args ...any) { _gosslrt.Defer(f, args, false) }

func _gosslDeferSpread(f any, args ...any) { _gosslrt.Defer(f, args, true) }
`

// typeName is the name a cell gave to reflect type t, if any.
func (rt *runtimeState) typeName(t reflect.Type) (string, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n, ok := rt.types[t]
	return n, ok
}
