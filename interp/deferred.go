package interp

import (
	"fmt"
	"reflect"
	"sync"
)

// deferredCalls are the calls a cell's top-level defers registered, with
// their function and arguments evaluated at the defer statement. They are
// kept on the compiled side: an interpreted closure made in a loop would
// share the loop body's variables (yaegi has no per-iteration scope there).
type deferredCalls struct {
	mu    sync.Mutex
	calls []deferredCall
}

type deferredCall struct {
	closure func() // set for a registered closure; fn and args otherwise
	fn      reflect.Value
	args    []reflect.Value
	spread  bool // the call ended in `xs...`
}

func (d *deferredCalls) add(f any, args []any, spread bool) {
	fn := reflect.ValueOf(f)
	if fn.Kind() != reflect.Func {
		panic(fmt.Sprintf("defer of a non-function value (%T)", f))
	}
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		vals[i] = reflect.ValueOf(a)
	}
	d.mu.Lock()
	d.calls = append(d.calls, deferredCall{fn: fn, args: vals, spread: spread})
	d.mu.Unlock()
}

func (d *deferredCalls) addFunc(f func()) {
	d.mu.Lock()
	d.calls = append(d.calls, deferredCall{closure: f})
	d.mu.Unlock()
}

func (d *deferredCalls) reset() {
	d.mu.Lock()
	d.calls = nil
	d.mu.Unlock()
}

// run calls what was registered, last first, through real defers so that
// all of them run even when one panics, and the first panic goes on up.
func (d *deferredCalls) run() {
	d.mu.Lock()
	calls := d.calls
	d.calls = nil
	d.mu.Unlock()
	for _, c := range calls {
		defer c.call()
	}
}

func (c deferredCall) call() {
	if c.closure != nil {
		c.closure()
		return
	}
	t := c.fn.Type()
	in := make([]reflect.Value, len(c.args))
	for i, a := range c.args {
		in[i] = fitArg(a, paramType(t, i, c.spread))
	}
	if c.spread {
		c.fn.CallSlice(in)
		return
	}
	c.fn.Call(in)
}

// paramType is the type that argument i goes to.
func paramType(t reflect.Type, i int, spread bool) reflect.Type {
	if t.IsVariadic() && i >= t.NumIn()-1 {
		if spread {
			return t.In(t.NumIn() - 1)
		}
		return t.In(t.NumIn() - 1).Elem()
	}
	if i < t.NumIn() {
		return t.In(i)
	}
	return nil // too many arguments: Call reports it
}

// fitArg gives an argument the parameter's type: untyped constants went
// through `any` with their default type (1 as int for a float64), nil as
// no value at all.
func fitArg(v reflect.Value, t reflect.Type) reflect.Value {
	switch {
	case t == nil:
		return v
	case !v.IsValid():
		return reflect.Zero(t)
	case v.Type().AssignableTo(t):
		return v
	case v.Type().ConvertibleTo(t) && t.Kind() != reflect.String:
		return v.Convert(t)
	}
	return v
}
