package interp

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/internal/symbols"
)

// Inspect returns help on the symbol at cursor: the signature and doc
// comment of a package member (standard library, display, sslkit), the
// declaration of a function or type a cell declared, or the type and value
// of a variable. nil, nil means nothing is known. See kernel.Evaluator.
func (s *Session) Inspect(code string, cursor, detail int) (*display.Bundle, error) {
	start, end := identAround(code, cursor)
	if start == end {
		// just after a call's "(": the function before it
		if i := strings.LastIndexByte(code[:min(cursor, len(code))], '('); i > 0 {
			start, end = identAround(code, i)
		}
		if start == end {
			return nil, nil
		}
	}
	name := code[start:end]
	sel := selectorBefore(code, start)
	text := s.describe(code, sel, name, detail)
	if text == "" {
		return nil, nil
	}
	return &display.Bundle{Data: map[string]any{"text/plain": text}}, nil
}

func (s *Session) describe(code, sel, name string, detail int) string {
	if sel != "" && !strings.Contains(sel, ".") {
		if p := s.importPath(code, sel); p != "" {
			if sig, doc, ok := symbols.Doc(p + "." + name); ok {
				return docText(sig, doc, detail)
			}
			if genericStdlib[p+"."+name] {
				return p + "." + name + " (generic, interpreted)"
			}
		}
		// a method: try the type of the value
		if v, ok := s.lookupValue(sel); ok {
			if doc := methodDoc(v, name, detail); doc != "" {
				return doc
			}
		}
	}
	if sel != "" {
		if v, ok := s.lookupValue(sel + "." + name); ok {
			return valueText(sel+"."+name, v)
		}
		return ""
	}
	if v, ok := s.lookupValue(name); ok {
		return valueText(name, v)
	}
	s.decls.mu.Lock()
	d, ok := s.decls.decls[name]
	s.decls.mu.Unlock()
	if ok {
		src := d.src
		if !d.isType {
			if i := strings.Index(src, "{"); i > 0 && detail == 0 {
				src = strings.TrimSpace(src[:i])
			}
		}
		return src
	}
	if p := s.importPath(code, name); p != "" {
		if sig, doc, ok := symbols.Doc(p); ok {
			return docText(sig+` // import "`+p+`"`, doc, detail)
		}
	}
	return ""
}

func docText(sig, doc string, detail int) string {
	doc = strings.TrimSpace(doc)
	if detail == 0 {
		if paras := strings.SplitN(doc, "\n\n", 2); len(paras) > 1 {
			doc = paras[0] + "\n..."
		}
	}
	if doc == "" {
		return sig
	}
	return sig + "\n\n" + doc
}

// methodDoc finds name among the methods of v's type in the docs.
func methodDoc(v reflect.Value, name string, detail int) string {
	t := v.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "" {
		return ""
	}
	if sig, doc, ok := symbols.Doc(t.PkgPath() + "." + t.Name() + "." + name); ok {
		return docText(sig, doc, detail)
	}
	return ""
}

// valueText shows a variable's type and value.
func valueText(name string, v reflect.Value) string {
	val := "<invalid>"
	if v.IsValid() && v.CanInterface() {
		b := renderValue(v.Interface())
		val, _ = b.Data["text/plain"].(string)
	}
	t := "?"
	if v.IsValid() {
		t = v.Type().String()
	}
	return fmt.Sprintf("%s %s = %s", name, t, val)
}
