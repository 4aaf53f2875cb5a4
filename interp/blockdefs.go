package interp

import (
	"go/ast"
	"go/token"
)

// definesInBlock reports whether a top-level statement defines names in
// a block of its own (an if, for or switch header counts). yaegi v0.16.1
// makes such names globals: `v := 2` in a block overwrites the cell's v
// instead of shadowing it, and a definition of several names from one
// value (`n, err := f()`, `v, ok := m[k]`) loses them ("undefined: n").
// In a function the same code works as in Go. Function literals are not
// looked into: their bodies are fine already.
func definesInBlock(st ast.Stmt) bool {
	switch st.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
		*ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
	default:
		return false // a definition right at the top level is the cell's
	}
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.RangeStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.DeclStmt:
			found = true
		}
		return !found
	})
	return found
}

// runsInFunc reports whether a top-level statement means the same in the
// body of a function literal called at once: it must not return or jump
// out with goto. (Its defers are the cell's: see rewriteTopDefers.)
func runsInFunc(st ast.Stmt) bool {
	ok := true
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
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
