package interp

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// rewriteTopDefers turns each defer of a cell's top-level statements (in
// blocks and loops too, not in function literals) into a registration
// that runs when the cell ends, as a defer in main runs when main returns.
// yaegi runs a top-level defer at once and again after every later
// program. The function and the arguments are evaluated where the defer
// stands, as Go does. It reports whether there were any.
func (s *Session) rewriteTopDefers(body *ast.BlockStmt, ed *editor) bool {
	n := 0
	ast.Inspect(body, func(node ast.Node) bool {
		switch d := node.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			n++
			s.rewriteDefer(d, ed, n)
		}
		return true
	})
	return n > 0
}

func (s *Session) rewriteDefer(d *ast.DeferStmt, ed *editor, n int) {
	c := d.Call
	if lit, ok := c.Fun.(*ast.FuncLit); ok && len(c.Args) == 0 {
		// defer func() {...}(): register the literal itself
		ed.replace(d.Defer, lit.Pos(), "_gosslDeferFunc(")
		ed.replace(lit.End(), c.Rparen+1, keepLines(ed.src(lit.End(), c.Rparen+1), ")"))
		return
	}
	if s.isCompiledFunc(c.Fun) {
		// defer f(a, b) becomes _gosslDeferCall(f, a, b): function and
		// arguments are evaluated here and kept on the compiled side,
		// which calls them with reflect.
		entry := "_gosslDeferCall("
		if c.Ellipsis.IsValid() {
			entry = "_gosslDeferSpread("
			ed.replace(c.Ellipsis, c.Ellipsis+3, "")
		}
		ed.replace(d.Defer, c.Fun.Pos(), entry)
		sep := ""
		if len(c.Args) > 0 {
			sep = ", "
		}
		ed.replace(c.Fun.End(), c.Lparen+1, keepLines(ed.src(c.Fun.End(), c.Lparen+1), sep))
		return
	}
	// An interpreted function or a builtin: a closure calls it with the
	// function value and arguments bound here. (In a loop, yaegi shares
	// the bound variables between iterations, hence the compiled path
	// above where it can be used.)
	callee := fmt.Sprintf("_gosslDF%d", n)
	if id, ok := c.Fun.(*ast.Ident); ok && isBuiltinFunc(id.Name) && id.Name != "print" && id.Name != "println" {
		callee = id.Name // a builtin is no value (print and println are rewritten to functions)
		ed.replace(d.Defer, c.Fun.End(), "{")
	} else {
		ed.replace(d.Defer, c.Fun.Pos(), "{ "+callee+" := ")
	}
	var args []string
	sepStart := c.Fun.End()
	for i, a := range c.Args {
		if isLiteral(a) {
			// a constant cannot change, and binding it would lose its
			// untyped kind (half(3) of a float64 half)
			args = append(args, ed.src(a.Pos(), a.End()))
			ed.replace(sepStart, a.End(), keepLines(ed.src(sepStart, a.End()), ""))
		} else {
			name := fmt.Sprintf("_gosslDA%d_%d", n, i)
			args = append(args, name)
			ed.replace(sepStart, a.Pos(), keepLines(ed.src(sepStart, a.Pos()), "; "+name+" := "))
		}
		sepStart = a.End()
	}
	if c.Ellipsis.IsValid() && len(args) > 0 {
		args[len(args)-1] += "..."
	}
	tail := fmt.Sprintf("; _gosslDeferFunc(func() { %s(%s) }) }", callee, strings.Join(args, ", "))
	ed.replace(sepStart, c.Rparen+1, keepLines(ed.src(sepStart, c.Rparen+1), tail))
}

// isLiteral reports whether e is a basic literal, maybe signed.
func isLiteral(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return true
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD) && isLiteral(e.X)
	}
	return false
}

// isCompiledFunc reports whether e is a function of a compiled package
// (fmt.Println) or a method of a variable of a compiled type (w.Flush).
func (s *Session) isCompiledFunc(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	path, imported := s.sessionImport(x.Name)
	if imported {
		v, ok := symbolsFor(path)[sel.Sel.Name]
		return ok && v.Kind() == reflect.Func && !genericStdlib[path+"."+sel.Sel.Name]
	}
	v, ok := s.globalValue(x.Name)
	if !ok || v.Kind() == reflect.Interface {
		return false
	}
	if _, named := s.rt.typeName(v.Type()); named {
		return false // an interpreted type
	}
	_, m := v.Type().MethodByName(sel.Sel.Name)
	_, pm := reflect.PointerTo(v.Type()).MethodByName(sel.Sel.Name)
	return m || pm
}

// keepLines is repl followed by as many line breaks as old had, so that
// the code after an edit stays on its line.
func keepLines(old, repl string) string {
	return repl + strings.Repeat("\n", strings.Count(old, "\n"))
}

// runCellDefers runs what the cell's top-level defers registered, last
// first, after its statements (also when one failed).
func (s *Session) runCellDefers(ctx context.Context, code string) error {
	src := "_gosslrt.RunDeferred()"
	_, err := s.eval(ctx, code, chunk{kind: stmtChunk, text: src, start: len(code)}, src)
	return err
}
