package interp

import (
	"context"
	"fmt"
	"go/ast"
	"reflect"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// Top-level definitions that yaegi v0.16.1 cannot type as globals: from
// a generic call, a comma-ok form, an index of a compiled value, a var
// that reads the session's variables (see stmtplan.go for which). They run
// in a function literal and the globals are declared from the values it
// hands over. Delete this file, and the planner's define steps, when yaegi
// types such globals itself.

// callsGeneric reports whether a top-level := takes a value from a generic
// function: yaegi cannot type a global from a generic function's result
// (it is left nil or zero), so such definitions run in a block.
func (s *Session) callsGeneric(as *ast.AssignStmt) bool {
	found := false
	for _, r := range as.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || found {
				return !found
			}
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.Ident:
				found = (fun.Name == "min" || fun.Name == "max") && s.decls.resultCount(fun.Name) < 0 || s.decls.isGeneric(fun.Name)
			case *ast.IndexExpr, *ast.IndexListExpr:
				found = true
			case *ast.SelectorExpr:
				if pkg, ok := fun.X.(*ast.Ident); ok {
					s.mu.Lock()
					path := s.imports[pkg.Name]
					s.mu.Unlock()
					found = genericStdlib[path+"."+fun.Sel.Name] || path == "cmp"
				}
			}
			return !found
		})
	}
	return found
}

// defineFromGeneric runs `a, b := f(...)` in a function literal (a block
// would lose a and b: see definesInBlock) that hands the values
// to compiled code, then declares a and b from them: the globals get the
// values' runtime types.
//
// A var statement takes the same route, with its names' written types.
func (s *Session) defineFromGeneric(ctx context.Context, cell string, ch chunk, ed *editor, as ast.Stmt, lhs []varName) error {
	from, to := ed.offset(as.Pos()), ed.offset(as.End())
	var names []string
	written := map[string]string{}
	var keeps strings.Builder
	for _, l := range lhs {
		if l.name != "_" {
			names = append(names, l.name)
			written[l.name] = l.typ
			fmt.Fprintf(&keeps, "_gosslrt.Keep(%q, %s);", l.name, l.name)
		}
	}
	stmtCh := chunk{kind: stmtChunk, text: ch.text[from:], start: ch.start + from}
	s.rt.takeKept()
	if _, err := s.eval(ctx, cell, stmtCh, "func() {"+wrapMark+ed.applyRange(from, to)+"\n"+keeps.String()+"}()"); err != nil {
		return err
	}
	kept := s.rt.takeKept()
	vals := map[string]reflect.Value{}
	var decl strings.Builder
	pkg := fmt.Sprintf("gosslkept%d", s.kept.Add(1))
	fmt.Fprintf(&decl, "import _%s %q\n", pkg, pkg)
	for _, n := range names {
		v, ok := kept[n]
		if !ok || !v.IsValid() {
			continue
		}
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		vals[n] = p.Elem()
		// With the type written out the variable gets an interpreted type,
		// which generic functions accept (a binary one they do not).
		typ := ""
		if t := v.Type().String(); written[n] != "" {
			typ = " " + written[n]
		} else if !strings.ContainsAny(t, ".{") {
			typ = " " + t
		}
		fmt.Fprintf(&decl, "var %s%s = _%s.%s\n", n, typ, pkg, n)
	}
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	if err := ip.Use(yaegi.Exports{pkg + "/" + pkg: vals}); err != nil {
		return &CellError{Name: "InternalError", Msg: err.Error()}
	}
	_, err := s.evalPlain(ctx, decl.String())
	return err
}
