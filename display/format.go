package display

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// Limits that keep text/plain readable for big values.
const (
	maxItems   = 20 // slices and maps longer than this are abbreviated
	headItems  = 10 // items shown before the ellipsis
	tailItems  = 3  // items shown after it
	maxDepth   = 6  // nesting shown before "…"
	lineWidth  = 80 // composite values longer than this break into lines
	maxStrRune = 2000
)

// Format returns v as text for people: structs with field names, long
// slices and maps abbreviated with their length, tensors as a shape/dtype
// summary with abbreviated values. It is the "text/plain" of Render.
func Format(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("%T (unprintable: %v)", v, r)
		}
	}()
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return truncate(x)
	case error:
		return x.Error()
	case tensor.Tensor:
		return tensorText(x)
	}
	return formatValue(reflect.ValueOf(v), 0, "")
}

func truncate(s string) string {
	if len(s) <= maxStrRune {
		return s
	}
	r := []rune(s)
	if len(r) <= maxStrRune {
		return s
	}
	return string(r[:maxStrRune]) + fmt.Sprintf("… (%d characters)", len(r))
}

// formatValue formats rv; indent is the indentation of the line it starts
// on, used when a composite value breaks into several lines.
func formatValue(rv reflect.Value, depth int, indent string) string {
	if !rv.IsValid() {
		return "<nil>"
	}
	if rv.CanInterface() {
		switch x := rv.Interface().(type) {
		case tensor.Tensor: // before Stringer: a tensor's String is its raw dump
			return tensorText(x)
		case error:
			if isNilPointer(x) {
				return "<nil>"
			}
			return x.Error()
		case fmt.Stringer:
			if isNilPointer(x) {
				return "<nil>"
			}
			return x.String()
		}
	}
	if depth > maxDepth {
		return "…"
	}
	switch rv.Kind() {
	case reflect.String:
		return strconv.Quote(truncate(rv.String()))
	case reflect.Float32:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 64)
	case reflect.Complex64, reflect.Complex128:
		return fmt.Sprint(rv.Complex())
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Pointer:
		if rv.IsNil() {
			return "<nil>"
		}
		switch rv.Elem().Kind() {
		case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
			return "&" + formatValue(rv.Elem(), depth+1, indent)
		}
		return fmt.Sprintf("(%s)(%#x)", rv.Type(), rv.Pointer())
	case reflect.Interface:
		if rv.IsNil() {
			return "<nil>"
		}
		return formatValue(rv.Elem(), depth, indent)
	case reflect.Struct:
		return formatStruct(rv, depth, indent)
	case reflect.Slice:
		if rv.IsNil() {
			return shortType(rv.Type()) + "(nil)"
		}
		return formatList(rv, depth, indent)
	case reflect.Array:
		return formatList(rv, depth, indent)
	case reflect.Map:
		if rv.IsNil() {
			return shortType(rv.Type()) + "(nil)"
		}
		return formatMap(rv, depth, indent)
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if rv.IsNil() {
			return shortType(rv.Type()) + "(nil)"
		}
		return fmt.Sprintf("%s(%#x)", rv.Type(), rv.Pointer())
	}
	return fmt.Sprint(rv)
}

func formatStruct(rv reflect.Value, depth int, indent string) string {
	t := rv.Type()
	inner := indent + "  "
	var parts []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		parts = append(parts, f.Name+": "+formatValue(rv.Field(i), depth+1, inner))
	}
	return layout(typeName(t)+"{", parts, "}", indent)
}

func formatList(rv reflect.Value, depth int, indent string) string {
	n := rv.Len()
	inner := indent + "  "
	var parts []string
	elem := rv.Type().Elem()
	each := func(i int) { parts = append(parts, elideType(formatValue(rv.Index(i), depth+1, inner), elem)) }
	if n > maxItems {
		for i := 0; i < headItems; i++ {
			each(i)
		}
		parts = append(parts, "…")
		for i := n - tailItems; i < n; i++ {
			each(i)
		}
	} else {
		for i := 0; i < n; i++ {
			each(i)
		}
	}
	open := "["
	if depth == 0 || isComposite(rv.Type().Elem()) {
		open = shortType(rv.Type()) + "{"
	}
	s := layoutList(open, parts, closing(open), indent)
	if n > maxItems {
		s += fmt.Sprintf(" (len %d)", n)
	}
	return s
}

func formatMap(rv reflect.Value, depth int, indent string) string {
	keys := rv.MapKeys()
	sortValues(keys)
	n := len(keys)
	inner := indent + "  "
	var parts []string
	each := func(k reflect.Value) {
		val := elideType(formatValue(rv.MapIndex(k), depth+1, inner), rv.Type().Elem())
		parts = append(parts, formatValue(k, depth+1, inner)+": "+val)
	}
	if n > maxItems {
		for _, k := range keys[:headItems] {
			each(k)
		}
		parts = append(parts, "…")
		for _, k := range keys[n-tailItems:] {
			each(k)
		}
	} else {
		for _, k := range keys {
			each(k)
		}
	}
	s := layout(shortType(rv.Type())+"{", parts, "}", indent)
	if n > maxItems {
		s += fmt.Sprintf(" (len %d)", n)
	}
	return s
}

func closing(open string) string {
	if strings.HasSuffix(open, "[") {
		return "]"
	}
	return "}"
}

// layout joins parts on one line when short, else one part per line.
func layout(open string, parts []string, close, indent string) string {
	one := open + strings.Join(parts, ", ") + close
	if len(one) <= lineWidth && !strings.Contains(one, "\n") {
		return one
	}
	var b strings.Builder
	b.WriteString(open + "\n")
	for _, p := range parts {
		b.WriteString(indent + "  " + p)
		if p != "…" {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(indent + close)
	return b.String()
}

// layoutList is layout for sequences: scalars are space-separated like fmt,
// composites comma-separated like Go literals.
func layoutList(open string, parts []string, close, indent string) string {
	if strings.HasSuffix(open, "[") {
		one := open + strings.Join(parts, " ") + close
		if len(one) <= lineWidth || !strings.Contains(one, "\n") {
			return one
		}
	}
	return layout(open, parts, close, indent)
}

func isComposite(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
		return true
	case reflect.Pointer:
		return isComposite(t.Elem())
	}
	return false
}

func typeName(t reflect.Type) string {
	if t.Name() == "" {
		return "struct"
	}
	return t.String()
}

// sortValues orders map keys so output is stable from run to run.
func sortValues(vs []reflect.Value) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.Kind() != b.Kind() {
			return a.Kind() < b.Kind()
		}
		switch a.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return a.Int() < b.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return a.Uint() < b.Uint()
		case reflect.Float32, reflect.Float64:
			return a.Float() < b.Float()
		case reflect.String:
			return a.String() < b.String()
		}
		return fmt.Sprint(a) < fmt.Sprint(b)
	})
}

// elideType drops the repeated type name of struct elements, as Go
// composite literals allow: []T{{…}, {…}} rather than []T{T{…}, T{…}}.
func elideType(s string, elem reflect.Type) string {
	if elem.Kind() != reflect.Struct {
		return s
	}
	return strings.TrimPrefix(s, typeName(elem))
}

// shortType is t's Go syntax with anonymous struct types (all types
// declared in the interpreter look anonymous to reflection) written as
// struct{…}, so a slice of them does not repeat every field's type.
func shortType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct:
		if t.Name() == "" {
			return "struct{…}"
		}
	case reflect.Slice:
		return "[]" + shortType(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), shortType(t.Elem()))
	case reflect.Pointer:
		return "*" + shortType(t.Elem())
	case reflect.Map:
		return "map[" + shortType(t.Key()) + "]" + shortType(t.Elem())
	}
	return t.String()
}
