package interp

import (
	"errors"
	"fmt"
	"reflect"
)

// errors.As into a type declared in a cell. yaegi v0.16.1 gives compiled
// code its interpreted values behind wrappers, and the compiled errors.As
// then panics ("*target must be interface or implement error": the reflect
// type of an interpreted type has no methods). The rewriter sends
// errors.As to errorsAs (package gosslerrs, which the helpers import as
// _gosslerrs): the same walk of the error tree, matching the values inside
// yaegi's wrappers by their reflect type. Delete this file, the import and
// the stand-in when yaegi's wrappers keep the methods.
//
// What cannot be helped: yaegi's wrapper keeps a pointer (*MyErr) whole
// but replaces a struct value (MyErr) by its last field, so an error of a
// value type wrapped by compiled code (fmt.Errorf's %w) cannot be found
// again; errorsAs then says so rather than answer false.

// yaegiWrapped is the value inside one of yaegi's interface wrappers
// (structs whose first field is IValue), or v itself.
func yaegiWrapped(v reflect.Value) (inner reflect.Value, wrapped bool) {
	if v.Kind() == reflect.Struct && v.NumField() > 0 && v.Type().Field(0).Name == "IValue" &&
		v.Field(0).Kind() == reflect.Interface {
		return v.Field(0).Elem(), true
	}
	return v, false
}

// walkErrors calls visit on err and the errors it wraps (Unwrap() error
// and Unwrap() []error, depth first, as package errors walks them) until
// visit reports true; it reports whether one did.
func walkErrors(err error, visit func(e error) bool) bool {
	for err != nil {
		if visit(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				if walkErrors(x, visit) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// errorsAs is errors.As for targets of interpreted types too.
func errorsAs(err error, target any) bool {
	if target == nil {
		panic("errors: target cannot be nil")
	}
	val := reflect.ValueOf(target)
	if val.Kind() != reflect.Pointer || val.IsNil() {
		panic("errors: target must be a non-nil pointer")
	}
	want := val.Type().Elem()
	lost := false // a wrapper held a struct value's last field only
	found := walkErrors(err, func(e error) bool {
		outer := reflect.ValueOf(e)
		inner, wrapped := yaegiWrapped(outer)
		switch {
		case inner.IsValid() && inner.Type() == want, inner.IsValid() && want.Kind() != reflect.Interface && inner.Type().AssignableTo(want):
			val.Elem().Set(inner)
			return true
		case want.Kind() == reflect.Interface && want.NumMethod() > 0 && outer.Type().Implements(want):
			val.Elem().Set(outer)
			return true
		case want.Kind() == reflect.Interface && inner.IsValid() && inner.Type().Implements(want):
			val.Elem().Set(inner)
			return true
		}
		if wrapped && inner.IsValid() && inner.Kind() != reflect.Pointer {
			lost = true
		}
		x, ok := e.(interface{ As(any) bool })
		return ok && x.As(target)
	})
	if found {
		return true
	}
	if lost && want.Kind() == reflect.Struct && want.Name() == "" {
		panic(fmt.Sprintf("errors.As cannot find a value of a type declared in a cell (%s) inside an error "+
			"that compiled code wrapped (fmt.Errorf's %%w, errors.Join): the interpreter, yaegi, keeps only "+
			"pointers there. Give the type's Error method a pointer receiver, wrap a pointer (&T{...}) "+
			"and ask errors.As for *T", want))
	}
	return false
}

// errorsIs is errors.Is for errors of interpreted types too: yaegi gives
// compiled code a new wrapper each time a cell's *T becomes an error, so
// the compiled errors.Is, which compares with ==, never finds it (not even
// errors.Is(e, e)). Values inside wrappers are compared instead.
func errorsIs(err, target error) bool {
	if err == nil || target == nil {
		return err == target
	}
	tv, _ := yaegiWrapped(reflect.ValueOf(target))
	comparable := tv.IsValid() && tv.Type().Comparable()
	return walkErrors(err, func(e error) bool {
		if reflect.TypeOf(e).Comparable() && e == target {
			return true
		}
		if ev, _ := yaegiWrapped(reflect.ValueOf(e)); comparable && ev.IsValid() && ev.Type() == tv.Type() && ev.Equal(tv) {
			return true
		}
		x, ok := e.(interface{ Is(error) bool })
		return ok && x.Is(target)
	})
}

// standInExports are compiled packages whose functions stand in for
// standard-library functions that fail in cells.
var standInExports = map[string]map[string]reflect.Value{
	"gosslerrs/gosslerrs": {"As": reflect.ValueOf(errorsAs), "Is": reflect.ValueOf(errorsIs),
		"Join": reflect.ValueOf(errors.Join)},
}

// compiledStandIns sends calls of standard-library functions to their
// stand-ins, by import path and name.
var compiledStandIns = map[string]string{
	"errors.As": "_gosslerrs.As",
	"errors.Is": "_gosslerrs.Is",
	// yaegi cannot pass a cell's *T to a compiled ...error ("cannot use
	// *struct {...} as type error in Call"); an interpreted ...error
	// parameter takes it, and hands the slice on (helpers.go.txt)
	"errors.Join": "_gosslJoin",
}
