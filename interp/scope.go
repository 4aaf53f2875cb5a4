package interp

import (
	"go/ast"
	"reflect"
)

// What planning a chunk (stmtplan.go) asks of the session's scope that
// no rewrite needs: how many values an expression has, the variables and
// types earlier cells defined.

// valueCount says how many values expression e has: 1 for anything but a
// call, the result count for calls of builtins, conversions, function
// literals, declared and compiled functions, and -1 when unknown.
func (s *Session) valueCount(e ast.Expr, f *ast.File) int {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return 1
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		return fieldCount(fun.Type.Results)
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType, *ast.StarExpr:
		return 1 // a conversion
	case *ast.IndexExpr: // generic function with explicit type arguments
		if id, ok := fun.X.(*ast.Ident); ok {
			return s.decls.resultCount(id.Name)
		}
	case *ast.Ident:
		switch fun.Name {
		case "print", "println", "panic", "close", "delete", "clear":
			return 0
		case "len", "cap", "append", "make", "new", "min", "max", "complex", "real", "imag", "copy", "recover":
			return 1
		}
		if intTypeNames[fun.Name] || basicTypeNames[fun.Name] {
			return 1
		}
		if n := s.decls.resultCount(fun.Name); n >= 0 {
			return n
		}
		if n := localFuncResults(f, fun.Name); n >= 0 {
			return n
		}
		if v, ok := s.globalValue(fun.Name); ok && v.Kind() == reflect.Func {
			return v.Type().NumOut()
		}
		if s.isType(fun.Name) {
			return 1
		}
	case *ast.SelectorExpr:
		if pkg, ok := fun.X.(*ast.Ident); ok {
			path, imported := s.sessionImport(pkg.Name)
			if imported {
				if genericStdlib[path+"."+fun.Sel.Name] {
					switch fun.Sel.Name {
					case "Sort", "SortFunc", "SortStableFunc", "Reverse", "Insert", "Copy", "DeleteFunc":
						if !(path == "slices" && fun.Sel.Name == "Insert") {
							return 0
						}
					}
					if fun.Sel.Name == "BinarySearch" {
						return 2
					}
					return 1
				}
				if v, ok := symbolsFor(path)[fun.Sel.Name]; ok {
					if v.Kind() == reflect.Func {
						return v.Type().NumOut()
					}
					return 1 // a type: a conversion
				}
				return -1
			}
			// a method of a variable of a compiled type
			if v, ok := s.globalValue(pkg.Name); ok {
				if m, ok := v.Type().MethodByName(fun.Sel.Name); ok {
					return m.Type.NumOut() // (receiver included in In, not Out)
				}
				if m, ok := reflect.PointerTo(v.Type()).MethodByName(fun.Sel.Name); ok {
					return m.Type.NumOut()
				}
			}
		}
		// a method a cell declared: all methods of that name agree
		return s.decls.methodResultCount(fun.Sel.Name)
	}
	return -1
}

var basicTypeNames = map[string]bool{"string": true, "bool": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true, "any": true, "error": true}

// localFuncResults finds `name := func(...) ...` in the chunk.
func localFuncResults(f *ast.File, name string) int {
	n := -1
	ast.Inspect(f, func(node ast.Node) bool {
		if as, ok := node.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name {
					if lit, ok := as.Rhs[i].(*ast.FuncLit); ok {
						n = fieldCount(lit.Type.Results)
					}
				}
			}
		}
		return true
	})
	return n
}

// globalValue returns a variable of the session's scope.
func (s *Session) globalValue(name string) (reflect.Value, bool) {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	if ip == nil {
		return reflect.Value{}, false
	}
	v, ok := ip.Globals()[name]
	return v, ok && v.IsValid()
}

// isType reports whether a cell declared name as a type.
func (s *Session) isType(name string) bool {
	s.decls.mu.Lock()
	defer s.decls.mu.Unlock()
	d, ok := s.decls.decls[name]
	return ok && d.isType
}
