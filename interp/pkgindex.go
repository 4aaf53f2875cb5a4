package interp

import (
	"go/ast"
	"go/token"
	"reflect"
)

// indexesCompiledVar reports whether a top-level := indexes or slices a
// variable of a compiled package (unicode.Scripts["Latin"], os.Args[0],
// unicode.Latin.R16[0]). yaegi v0.16.1 cannot type such a global: it says
// "constant definition loop" or its compiler dereferences nil. Such
// definitions run in a block, as those from generic calls do.
func (s *Session) indexesCompiledVar(as *ast.AssignStmt) bool {
	found := false
	for _, r := range as.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.IndexExpr:
				found = found || s.rootsInCompiledVar(n.X)
			case *ast.SliceExpr:
				found = found || s.rootsInCompiledVar(n.X)
			}
			return !found
		})
	}
	return found
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
				s.mu.Lock()
				path, imported := s.imports[pkg.Name]
				s.mu.Unlock()
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
