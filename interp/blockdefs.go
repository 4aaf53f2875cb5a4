package interp

import (
	"go/ast"
	"go/token"
)

// definesPairInBlock reports whether a top-level statement holds, in a
// block of its own, a definition of several names from one value
// (`n, err := f()`, `v, ok := m[k]`, `var a, b = f()`). yaegi v0.16.1
// loses such names at the top level ("undefined: n" at their first use);
// in a function the same code works. Function literals are not looked
// into: their bodies are fine already.
func definesPairInBlock(st ast.Stmt) bool {
	switch st.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
		*ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
	default:
		return false // a definition right at the top level is fine
	}
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE && len(n.Lhs) > 1 && len(n.Rhs) == 1
		case *ast.ValueSpec:
			found = found || len(n.Names) > 1 && len(n.Values) == 1
		}
		return !found
	})
	return found
}

// runsInFunc reports whether a top-level statement means the same in the
// body of a function literal called at once: it must not return, jump out
// with goto, or defer (a defer would run at the literal's end).
func runsInFunc(st ast.Stmt) bool {
	ok := true
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt, *ast.DeferStmt:
			ok = false
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				ok = false
			}
		}
		return ok
	})
	return ok
}
