package interp

import (
	"go/ast"
	"go/token"
)

// nilAssigns works around yaegi issue #1583: a parallel assignment with an
// untyped nil on the right (`hoard, more = nil, nil`, `n, err = 1, nil`)
// panics with "reflect: New(nil)", since yaegi makes a temporary of the
// nil's type for it. The nils are moved out into single assignments after
// the statement: `n = 1; err = nil`. Assigning them last keeps Go's
// meaning, in which every right-hand side is read before any variable is
// set. Only plain variables on the left of a nil are moved, and only in
// statement lists (not in `if x, y = ...; cond` headers). Delete this
// file when yaegi types the nil from its variable.
func (rw *rewriter) nilAssigns(list []ast.Stmt) {
	for _, st := range list {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Lhs) != len(as.Rhs) {
			continue
		}
		var kept, moved []int
		for i, r := range as.Rhs {
			lhs, isVar := as.Lhs[i].(*ast.Ident)
			if id, isNil := ast.Unparen(r).(*ast.Ident); isNil && id.Name == "nil" && isVar && lhs.Name != "_" {
				moved = append(moved, i)
			} else {
				kept = append(kept, i)
			}
		}
		if len(moved) == 0 {
			continue
		}
		if len(kept) == 0 {
			kept, moved = moved[:1], moved[1:]
		}
		rw.keepOnly(as.Lhs, kept)
		rw.keepOnly(as.Rhs, kept)
		tail := ""
		for _, i := range moved {
			tail += "; " + as.Lhs[i].(*ast.Ident).Name + " = nil"
		}
		rw.ed.insert(as.End(), tail)
	}
}

// keepOnly deletes the elements of a comma-separated list that are not
// in kept (ascending, not empty), touching only the commas between them
// and the deleted elements, so that edits inside kept ones stay valid.
func (rw *rewriter) keepOnly(list []ast.Expr, kept []int) {
	first, last := kept[0], kept[len(kept)-1]
	if first > 0 {
		rw.ed.replace(list[0].Pos(), list[first].Pos(), "")
	}
	for k := 1; k < len(kept); k++ {
		if a, b := kept[k-1], kept[k]; b > a+1 {
			rw.ed.replace(list[a].End(), list[b].Pos(), ", ")
		}
	}
	if last < len(list)-1 {
		rw.ed.replace(list[last].End(), list[len(list)-1].End(), "")
	}
}
