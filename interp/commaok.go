package interp

import (
	"go/ast"
	"go/token"
)

// commaOkAssigns rewrites `v, ok = m[k]` (and x.(T), <-ch) in a
// statement list to `{ _gosslV, _gosslOK := m[k]; v, ok = _gosslV,
// _gosslOK }`: yaegi v0.16.1 leaves v unchanged when the key is missing
// or the assertion fails, where Go sets it to the zero value; its := form
// is right. (At a cell's top level the block
// also runs in a function literal: see evalStmts.)
func (rw *rewriter) commaOkAssigns(list []ast.Stmt) {
	for _, st := range list {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || !isCommaOk(as) {
			continue
		}
		rhs := as.Rhs[0]
		lhs := rw.ed.src(as.Lhs[0].Pos(), as.Lhs[1].End())
		v, okName := rw.fresh("V"), rw.fresh("OK")
		rw.ed.replace(as.Pos(), rhs.Pos(), keepLines(rw.ed.src(as.Pos(), rhs.Pos()), "{ "+v+", "+okName+" := "))
		rw.ed.insert(rhs.End(), "; "+lhs+" = "+v+", "+okName+" }")
	}
}
