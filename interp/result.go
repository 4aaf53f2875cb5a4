package interp

import (
	"go/ast"
	"strings"

	"github.com/gossl/gossl/display"
)

// resultBundle turns what _gosslrt.Show or _gosslShowN handed over into
// the cell's result.
// A call whose last result is a nil error shows the other results; a call
// of the fmt.Print family shows nothing (its byte count is noise).
func (s *Session) resultBundle(r cellResult, expr ast.Expr) *display.Bundle {
	if !r.set {
		return nil
	}
	if r.bundle != nil {
		b := *r.bundle
		if b.Data == nil {
			b.Data = map[string]any{}
		}
		return &b
	}
	vs := r.values
	r.single = len(vs) == 1
	if len(vs) > 1 {
		if isPrintCall(expr) {
			return nil
		}
		if vs[len(vs)-1] == nil {
			vs = vs[:len(vs)-1]
		}
	}
	if len(vs) == 1 && vs[0] == nil && r.single && isCall(expr) {
		return nil // a call's nil error: nothing to show
	}
	if len(vs) == 1 {
		b := renderValue(vs[0])
		return &b
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		b := renderValue(v)
		parts[i], _ = b.Data["text/plain"].(string)
	}
	return &display.Bundle{Data: map[string]any{"text/plain": strings.Join(parts, "\n")}}
}

func isCall(e ast.Expr) bool {
	_, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok
}

func isPrintCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "fmt" && (strings.HasPrefix(sel.Sel.Name, "Print") || strings.HasPrefix(sel.Sel.Name, "Fprint"))
}

// renderValue is the compiled renderer for values that do not render
// themselves: text for people, and richer types for images, tables...
var renderValue = display.Render
