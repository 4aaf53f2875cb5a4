package interp

import (
	"go/ast"
	"go/token"
	"strings"
)

// Two statement forms that yaegi v0.16.1 compiles into code that panics
// at run time, written the way it runs them. Delete this file with a
// yaegi that runs them.

// recvReturns hoists the receives a return statement returns directly:
// `return <-ch` panics in yaegi ("reflect.Value.Set using unaddressable
// value"), `v := <-ch; return v` does not. The statement becomes a block,
// `{ _gosslRv1 := <-ch; return _gosslRv1 }`. A receive moves ahead of the
// results left of it, so only where those are pure (names, literals,
// nil): otherwise the statement is left as written.
func (rw *rewriter) recvReturns(ret *ast.ReturnStmt) {
	var hoisted []int
	pureBefore := true
	for i, r := range ret.Results {
		if u, ok := ast.Unparen(r).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			if !pureBefore {
				return
			}
			hoisted = append(hoisted, i)
			continue
		}
		pureBefore = pureBefore && isPure(r)
	}
	if len(hoisted) == 0 {
		return
	}
	var head strings.Builder
	head.WriteString("{ ")
	for _, i := range hoisted {
		r := ret.Results[i]
		name := rw.fresh("Rv")
		head.WriteString(name + " := " + rw.exprText(r) + "; ")
		rw.ed.replace(r.Pos(), r.End(), name)
	}
	rw.ed.wrap(ret.Pos(), ret.End(), head.String(), " }")
}

// parallelAssigns works around a yaegi panic ("reflect.Set: value of type
// interface {} is not assignable to type interp.valueInterface") in a
// parallel assignment whose value is of type any: `a, b = r, true`. The
// values go to fresh variables first and then, one by one, to the
// variables on the left, which is Go's order (every value is read before
// any variable is set): `{ _gosslPa1, _gosslPa2 := r, true; a = _gosslPa1;
// b = _gosslPa2 }`. Only for plain variables on the left and no untyped nil
// on the right (nilAssigns takes those), in statement lists.
func (rw *rewriter) parallelAssigns(list []ast.Stmt) {
	for _, st := range list {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Lhs) != len(as.Rhs) || rw.inGeneric(as.Pos()) {
			continue
		}
		simple := true
		for i, l := range as.Lhs {
			id, isVar := l.(*ast.Ident)
			nilValue, isIdent := ast.Unparen(as.Rhs[i]).(*ast.Ident)
			if !isVar || id.Name == "_" || isIdent && nilValue.Name == "nil" {
				simple = false
			}
		}
		if !simple || !rw.mayBeAny(as.Rhs) {
			continue
		}
		var temps, sets []string
		for _, l := range as.Lhs {
			t := rw.fresh("Pa")
			temps = append(temps, t)
			sets = append(sets, l.(*ast.Ident).Name+" = "+t)
		}
		// the values keep their place (and their own edits)
		rw.ed.replace(as.Lhs[0].Pos(), as.TokPos+token.Pos(len(as.Tok.String())), "{ "+strings.Join(temps, ", ")+" :=")
		rw.ed.insert(as.End(), "; "+strings.Join(sets, "; ")+" }")
	}
}

// mayBeAny reports whether one of the values may be of an empty
// interface type: anything but literals, conversions to named basic
// types, arithmetic and comparisons of those, and names the chunk
// defines with another written type.
func (rw *rewriter) mayBeAny(values []ast.Expr) bool {
	for _, v := range values {
		t, kind := rw.argType(v, v.Pos(), 0)
		if kind != "" {
			continue
		}
		if t == nil {
			if b, ok := ast.Unparen(v).(*ast.BinaryExpr); ok && b.Op != token.ADD {
				continue // arithmetic on interfaces does not compile; comparisons are bool
			}
			return true
		}
		switch t := t.(type) {
		case *ast.InterfaceType:
			if t.Methods == nil || len(t.Methods.List) == 0 {
				return true
			}
		case *ast.Ident:
			if t.Name == "any" {
				return true
			}
		}
	}
	return false
}
