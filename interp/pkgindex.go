package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"slices"
	"strings"
)

// indexesCompiledVar reports whether a top-level := indexes or slices a
// variable of a compiled package (unicode.Scripts["Latin"], os.Args[0],
// unicode.Latin.R16[0]) or a value of a compiled named slice, map or
// array type (t.Shape()[1], sh[1:]: see indexesCompiled). yaegi v0.16.1 cannot type such a global: it says
// "constant definition loop" or its compiler dereferences nil. Such
// definitions run in a block, as those from generic calls do.
func (s *Session) indexesCompiledVar(as *ast.AssignStmt) bool {
	for _, r := range as.Rhs {
		if s.indexesCompiledVarIn(r) {
			return true
		}
	}
	return false
}

func (s *Session) indexesCompiledVarIn(e ast.Expr) bool {
	found := false
	{
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.IndexExpr:
				found = found || s.indexesCompiled(n.X)
			case *ast.SliceExpr:
				found = found || s.indexesCompiled(n.X)
			}
			return !found
		})
	}
	return found
}

// indexesCompiled reports whether indexing or slicing x trips yaegi at the
// top level: x is reached from a variable of a compiled package, or its
// type is a compiled named slice, map or array (tensor.Shape, a []int,
// from t.Shape() or from a variable holding it).
func (s *Session) indexesCompiled(x ast.Expr) bool {
	if s.rootsInCompiledVar(x) {
		return true
	}
	t := s.chainType(x)
	if t == nil || t.Name() == "" || t.PkgPath() == "" {
		return false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array:
		return true
	}
	return false
}

// rootsInCompiledVar reports whether e is, or is reached from, pkg.Name
// where pkg is an imported compiled package and Name one of its variables.
func (s *Session) rootsInCompiledVar(e ast.Expr) bool {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.SelectorExpr:
			if pkg, ok := x.X.(*ast.Ident); ok {
				path, imported := s.sessionImport(pkg.Name)
				if imported {
					v, ok := symbolsFor(path)[x.Sel.Name]
					return ok && v.Kind() != reflect.Func
				}
			}
			e = x.X
		default:
			return false
		}
	}
}

// isCommaOk reports whether a top-level := is a comma-ok form (v, ok :=
// m[k], x.(T) or <-ch): yaegi v0.16.1's compiler fails on those at the
// top level ("nil type"); in a function literal they work.
func isCommaOk(as *ast.AssignStmt) bool {
	if len(as.Lhs) != 2 || len(as.Rhs) != 1 {
		return false
	}
	switch r := ast.Unparen(as.Rhs[0]).(type) {
	case *ast.IndexExpr, *ast.TypeAssertExpr:
		return true
	case *ast.UnaryExpr:
		return r.Op == token.ARROW
	}
	return false
}

// typeVarsOfCompiledIndex gives `var x = pkg.Var[k]` its type, written out
// (var x *unicode.RangeTable = unicode.Scripts["Latin"]): yaegi cannot
// infer it ("constant definition loop") but takes it when written.
func (s *Session) typeVarsOfCompiledIndex(f *ast.File, ed *editor) {
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			if len(vs.Names) != len(vs.Values) || !slices.ContainsFunc(vs.Values, s.indexesCompiledVarIn) {
				continue
			}
			if len(vs.Names) > 1 {
				s.splitValueSpec(gd, vs, ed)
				continue
			}
			if vs.Type != nil {
				continue
			}
			if name := s.compiledIndexType(vs.Values[0]); name != "" {
				ed.insert(vs.Names[0].End(), " "+name)
			}
		}
	}
}

// compiledIndexType is the type of a value that indexes a compiled one,
// written as source, or "".
func (s *Session) compiledIndexType(v ast.Expr) string {
	if !s.indexesCompiledVarIn(v) {
		return ""
	}
	if t := s.chainType(v); t != nil {
		if name, ok := s.typeSource(t); ok {
			return name
		}
	}
	return ""
}

// splitValueSpec turns `var a, b = x, pkg.V[k]` into one definition a
// name, `var a = x; var b T = pkg.V[k]` (in a group: `a = x; b T =
// pkg.V[k]`), typing those that index compiled values: yaegi cannot
// type the names of a multi-name definition that does ("constant
// definition loop"). Go orders package-level initialization by
// dependency either way, so the meaning is kept. The values stay where
// they are, with their own edits; only the text between them changes.
func (s *Session) splitValueSpec(gd *ast.GenDecl, vs *ast.ValueSpec, ed *editor) {
	sep := "; "
	if !gd.Lparen.IsValid() {
		sep = "; var "
	}
	def := func(i int) string {
		typ := ""
		if vs.Type != nil {
			typ = " " + ed.src(vs.Type.Pos(), vs.Type.End())
		} else if name := s.compiledIndexType(vs.Values[i]); name != "" {
			typ = " " + name
		}
		return vs.Names[i].Name + typ + " = "
	}
	ed.replace(vs.Names[0].Pos(), vs.Values[0].Pos(), def(0))
	for i := 1; i < len(vs.Values); i++ {
		ed.replace(vs.Values[i-1].End(), vs.Values[i].Pos(), sep+def(i))
	}
}

// chainType is the type of pkg.Var or of a variable of the session,
// followed by indexes, slices, field selections, dereferences and calls
// of compiled functions and methods, or nil.
func (s *Session) chainType(e ast.Expr) reflect.Type {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v, ok := s.globalValue(x.Name); ok {
			return v.Type()
		}
	case *ast.CallExpr:
		if t := s.calledType(x.Fun); t != nil && t.NumOut() > 0 {
			return t.Out(0)
		}
	case *ast.SelectorExpr:
		if pkg, ok := x.X.(*ast.Ident); ok {
			path, imported := s.sessionImport(pkg.Name)
			if imported {
				v, ok := symbolsFor(path)[x.Sel.Name]
				if !ok || v.Kind() == reflect.Func {
					return nil
				}
				return v.Type()
			}
		}
		t := s.chainType(x.X)
		if t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return nil
		}
		if sf, ok := t.FieldByName(x.Sel.Name); ok {
			return sf.Type
		}
	case *ast.IndexExpr:
		t := s.chainType(x.X)
		if t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Array {
			t = t.Elem()
		}
		if t == nil {
			return nil
		}
		switch t.Kind() {
		case reflect.Map, reflect.Slice, reflect.Array:
			return t.Elem()
		case reflect.String:
			return reflect.TypeFor[byte]()
		}
	case *ast.SliceExpr:
		t := s.chainType(x.X)
		if t != nil && t.Kind() == reflect.Array {
			return reflect.SliceOf(t.Elem())
		}
		return t
	case *ast.StarExpr:
		if t := s.chainType(x.X); t != nil && t.Kind() == reflect.Pointer {
			return t.Elem()
		}
	}
	return nil
}

// calledType is the function type of a compiled function pkg.F or of a
// method x.M where x's type is known to chainType, or nil.
func (s *Session) calledType(fun ast.Expr) reflect.Type {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if pkg, ok := sel.X.(*ast.Ident); ok {
		path, imported := s.sessionImport(pkg.Name)
		if imported {
			if v, ok := symbolsFor(path)[sel.Sel.Name]; ok && v.Kind() == reflect.Func {
				return v.Type()
			}
			return nil
		}
	}
	t := s.chainType(sel.X)
	if t == nil {
		return nil
	}
	if m, ok := t.MethodByName(sel.Sel.Name); ok {
		return m.Type
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if m, ok := reflect.PointerTo(t).MethodByName(sel.Sel.Name); ok {
			return m.Type
		}
	}
	return nil
}

// typeSource writes t as Go source in the cell's scope: named types by
// the name their package is imported as.
func (s *Session) typeSource(t reflect.Type) (string, bool) {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name(), true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for name, path := range s.imports {
			if path == t.PkgPath() && !strings.HasPrefix(name, "_") {
				return name + "." + t.Name(), true
			}
		}
		return "", false
	}
	elem := func(prefix string) (string, bool) {
		e, ok := s.typeSource(t.Elem())
		return prefix + e, ok
	}
	switch t.Kind() {
	case reflect.Pointer:
		return elem("*")
	case reflect.Slice:
		return elem("[]")
	case reflect.Array:
		return elem(fmt.Sprintf("[%d]", t.Len()))
	case reflect.Map:
		k, ok := s.typeSource(t.Key())
		if !ok {
			return "", false
		}
		return elem("map[" + k + "]")
	}
	return "", false
}

// indexesNames reports whether a := indexes or slices a value reached
// from one of names (t.Shape()[1], sh[1:] for names t and sh).
func indexesNames(as *ast.AssignStmt, names map[string]bool) bool {
	found := false
	for _, r := range as.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.IndexExpr:
				found = found || names[rootName(n.X)]
			case *ast.SliceExpr:
				found = found || names[rootName(n.X)]
			}
			return !found
		})
	}
	return found
}

// rootName is the name that a chain of selections, indexes, slices,
// dereferences and calls starts from, or "".
func rootName(e ast.Expr) string {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.CallExpr:
			e = x.Fun
		default:
			return ""
		}
	}
}

// varName is a name a top-level definition declares, with its type as
// written ("" when inferred).
type varName struct{ name, typ string }

// varsReadGlobals reports whether decls are all var declarations (some
// with values) and a value reads a variable of the session, from an
// earlier cell or defined, for a chunk of statements, by the names given.
// yaegi v0.16.1 orders the globals one Eval declares by the variables
// their values read, and a variable of an earlier Eval is never among
// them: `var w = n` fails with "variable definition loop".
func (s *Session) varsReadGlobals(decls []ast.Decl, defined map[string]bool) bool {
	found := false
	for _, d := range decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			return false
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for _, v := range vs.Values {
				ast.Inspect(v, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.SelectorExpr:
						ast.Inspect(n.X, func(m ast.Node) bool {
							found = found || s.readsGlobal(m, defined)
							return !found
						})
						return false
					default:
						found = found || s.readsGlobal(n, defined)
					}
					return !found
				})
			}
		}
	}
	return found
}

func (s *Session) readsGlobal(n ast.Node, defined map[string]bool) bool {
	id, ok := n.(*ast.Ident)
	if !ok {
		return false
	}
	if defined[id.Name] {
		return true
	}
	v, ok := s.globalValue(id.Name)
	// a declared function is not a variable, a variable holding one is
	// (var h = g, where g := func...)
	return ok && (v.Kind() != reflect.Func || s.decls.resultCount(id.Name) < 0)
}
