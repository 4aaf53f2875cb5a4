package interp

import (
	"context"
	"fmt"
	"go/ast"
	"reflect"
	"sort"
	"strconv"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// redefinesType reports whether the chunk changes a type declared before.
func (s *Session) redefinesType(f *ast.File, ch chunk) bool {
	for _, d := range f.Decls {
		for _, ds := range describeDecl(d, ch.text, len(declPrefix)) {
			if ds.isType && s.decls.changes(ds) || s.decls.needsRebuild(ds) {
				return true
			}
		}
	}
	return false
}

// rebuild replaces the interpreter after a type was redefined, which yaegi
// would silently ignore: a fresh interpreter gets the session's imports,
// the latest version of every type and function, and the values of the
// variables whose types can move across (values of interpreted struct
// types cannot, and are dropped with a note).
func (s *Session) rebuild(ctx context.Context) error {
	s.mu.Lock()
	old := s.ip
	imports := make(map[string]string, len(s.imports))
	for k, v := range s.imports {
		imports[k] = v
	}
	s.mu.Unlock()
	globals := old.Globals()
	decls := s.decls.all()

	registry := s.decls
	if err := s.reset(); err != nil {
		return &CellError{Name: "InternalError", Msg: "rebuilding the session: " + err.Error()}
	}
	s.mu.Lock()
	s.decls = registry
	s.mu.Unlock()

	// imports
	var imp strings.Builder
	for name, path := range imports {
		switch {
		case strings.HasPrefix(name, "_"):
			fmt.Fprintf(&imp, "import _ %q\n", path)
		case name == s.packageName(path):
			fmt.Fprintf(&imp, "import %q\n", path)
		default:
			fmt.Fprintf(&imp, "import %s %q\n", name, path)
		}
	}
	if imp.Len() > 0 {
		if _, err := s.evalPlain(ctx, imp.String()); err != nil {
			return &CellError{Name: "InternalError", Msg: "rebuilding the session's imports: " + err.Error()}
		}
	}
	s.mu.Lock()
	s.imports = imports
	s.mu.Unlock()

	// types, then variables (functions may use them), then functions
	var types, funcs []*declSource
	for _, d := range decls {
		if d.isType {
			types = append(types, d)
		} else {
			funcs = append(funcs, d)
		}
	}
	for _, d := range types {
		if err := s.reevalDecl(ctx, d.src); err != nil {
			writeStderr("note: type " + d.name + " was dropped: " + err.Error() + "\n")
		}
	}
	s.transferGlobals(ctx, globals)
	// A function may use one declared after it (a later redefinition
	// brought the use): what fails is tried again while others succeed.
	errs := map[*declSource]error{}
	for len(funcs) > 0 {
		var failed []*declSource
		for _, d := range funcs {
			if err := s.reevalDecl(ctx, d.src); err != nil {
				errs[d] = err
				failed = append(failed, d)
			}
		}
		if len(failed) == len(funcs) {
			break
		}
		funcs = failed
	}
	for _, d := range funcs {
		writeStderr("note: " + d.name + " was dropped: " + errs[d].Error() + "\n")
	}
	return nil
}

// transferGlobals declares the old variables in the new interpreter with
// their values, through a binary package that holds them.
func (s *Session) transferGlobals(ctx context.Context, globals map[string]reflect.Value) {
	vals := map[string]reflect.Value{}
	var names, dropped []string
	for name, v := range globals {
		if strings.HasPrefix(name, "_") || !v.IsValid() {
			continue
		}
		if !movable(v.Type(), 0) {
			dropped = append(dropped, name)
			continue
		}
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		vals[name] = p.Elem()
		names = append(names, name)
	}
	sort.Strings(names)
	sort.Strings(dropped)
	if len(names) > 0 {
		s.mu.Lock()
		ip := s.ip
		s.mu.Unlock()
		pkg := "gosslmoved" + strconv.FormatInt(s.cell.Load(), 10)
		if err := ip.Use(yaegi.Exports{pkg + "/" + pkg: vals}); err == nil {
			var b strings.Builder
			fmt.Fprintf(&b, "import _gosslmoved %q\n", pkg)
			for _, n := range names {
				typ := "" // written out when it can be: see defineFromGeneric
				if t := vals[n].Type().String(); !strings.ContainsAny(t, ".{") {
					typ = " " + t
				}
				fmt.Fprintf(&b, "var %s%s = _gosslmoved.%s\n", n, typ, n)
			}
			if _, err := s.evalPlain(ctx, b.String()); err != nil {
				writeStderr("note: variables were not kept: " + err.Error() + "\n")
			}
		}
	}
	if len(dropped) > 0 {
		writeStderr("note: a type (or a method, with a new signature or of a generic type) was redefined, so the session was rebuilt; " +
			"these variables held values of the old types and were dropped (run the cells that create them again): " + strings.Join(dropped, ", ") + "\n")
	}
}

// movable reports whether values of t can be handed to a new interpreter:
// no interpreted (anonymous struct) types inside.
func movable(t reflect.Type, depth int) bool {
	if depth > 6 {
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		return t.Name() != "" && t.PkgPath() != ""
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		return movable(t.Elem(), depth+1)
	case reflect.Map:
		return movable(t.Key(), depth+1) && movable(t.Elem(), depth+1)
	case reflect.Func:
		return t.Name() != "" && t.PkgPath() != "" // interpreted closures stay behind
	case reflect.Interface:
		return t.NumMethod() == 0 || t.PkgPath() != ""
	}
	return true
}

// evalPlain evaluates session-made source (no cell positions).
func (s *Session) evalPlain(ctx context.Context, src string) (reflect.Value, error) {
	return s.eval(ctx, src, chunk{kind: declChunk, text: src}, src)
}
