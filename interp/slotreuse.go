package interp

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// Which finished cells may give their temporaries' global-frame slots back,
// so that the next cell numbers its own temporaries there instead of the
// frame growing by a few slots every cell (bench/README.md, Soak).
//
// yaegi keeps a frame and a syntax node, not a value, in what it makes when
// interpreted code escapes its cell, and reads or writes the node's slot
// whenever that code runs, cells later:
//   - a function literal writes the closure back into its slot after every
//     call (getFunc);
//   - a method value, or an interpreted value converted to a compiled
//     interface, reads its receiver from the slot of the receiver's
//     expression at every call (genFunctionWrapper, genInterfaceWrapper). A
//     cell type's Step method that a compiled Trainer called back once read
//     a later cell's error there: "reflect.Set: value of type error is not
//     assignable to type struct {}".
//
// So a cell keeps its slots, and their values, unless none of its syntax
// nodes has a function type (other than the function a call calls), an
// interface type declared in cells, or a cell type with methods (or a
// pointer to one).

// maxReuseWalk bounds the nodes walked for one cell; a larger cell keeps
// its slots.
const maxReuseWalk = 200_000

// leavesReaders reports whether code compiled from roots (a cell's syntax
// trees) may read or write the cell's slots after it finished. A yaegi whose
// fields differ from v0.16.1's counts as leaving readers.
func leavesReaders(roots []unsafe.Pointer) (leaves bool) {
	nt := nodeType()
	if nt == nil {
		return true
	}
	defer func() {
		if recover() != nil {
			leaves = true
		}
	}()
	stack := append([]unsafe.Pointer(nil), roots...)
	for walked := 0; len(stack) > 0; walked++ {
		if walked > maxReuseWalk {
			return true
		}
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p == nil {
			continue
		}
		n := reflect.NewAt(nt, p).Elem()
		if typeMayBeWrapped(field(n, "typ"), 0) && !isCallee(n, p) {
			return true
		}
		children := field(n, "child")
		for i := 0; i < children.Len(); i++ {
			if c := children.Index(i); !c.IsNil() {
				stack = append(stack, c.UnsafePointer())
			}
		}
	}
	return false
}

// typeMayBeWrapped reports whether a value of the yaegi type t (an *itype)
// may be wrapped into code that outlives the cell: a function, an
// interface of the cells' own, a type with methods, or a pointer to one.
func typeMayBeWrapped(t reflect.Value, depth int) bool {
	if !t.IsValid() || t.IsNil() {
		return false
	}
	if depth > 8 {
		return true
	}
	it := t.Elem()
	if field(it, "method").Len() > 0 {
		return true
	}
	switch fmt.Sprint(field(it, "cat").Interface()) {
	case "funcT", "interfaceT", "genericT", "variadicT":
		return true
	case "valueT":
		rt, ok := field(it, "rtype").Interface().(reflect.Type)
		return ok && rt != nil && rt.Kind() == reflect.Func
	case "ptrT", "linkedT":
		return typeMayBeWrapped(field(it, "val"), depth+1)
	}
	return false
}

// isCallee reports whether the node n (at p) is the function a call
// expression calls, which runs within the cell, rather than a function value
// that may escape it.
func isCallee(n reflect.Value, p unsafe.Pointer) bool {
	anc := field(n, "anc")
	if anc.IsNil() {
		return false
	}
	call := anc.Elem()
	if fmt.Sprint(field(call, "kind").Interface()) != "callExpr" {
		return false
	}
	children := field(call, "child")
	return children.Len() > 0 && children.Index(0).UnsafePointer() == p
}

// nodeType is yaegi's node struct type, found once (nil when its roots
// field is not a slice of pointers).
var nodeType = sync.OnceValue(func() reflect.Type {
	var ip yaegi.Interpreter
	f := reflect.ValueOf(&ip).Elem().FieldByName("roots")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Pointer {
		return nil
	}
	return f.Type().Elem().Elem()
})
