package interp

import (
	"fmt"
	"go/ast"
	"go/token"
)

// depthGuard is what the rewriter puts at the start of a cell function that
// may recurse (see guard.go), with the function's name and position; it
// stays on the line of the opening brace so positions after it are
// unchanged.
const depthGuard = "if _gosslrt.Enter() { _gosslTooDeep(%q, %d, %d) }; defer _gosslrt.Leave();"

// guardFunc makes body count its call depth when it calls anything that
// could lead back to it: a function or method that is not a package's.
// Leaf functions (only builtins and package functions) stay as written,
// since counting costs a deferred call.
func (rw *rewriter) guardFunc(name string, typ *ast.FuncType, body *ast.BlockStmt) {
	if body == nil || rw.ed.fset.Position(body.Lbrace).Offset < rw.ed.prefix {
		return // the wrapper that parses a statement chunk
	}
	if (typ.TypeParams != nil && len(typ.TypeParams.List) > 0) || !rw.mayRecurse(body) {
		return
	}
	line, col := rw.at(rw.ed.offset(typ.Pos()))
	rw.ed.insert(body.Lbrace+1, fmt.Sprintf(depthGuard, name, line, col))
}

func (rw *rewriter) mayRecurse(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false // a literal guards itself
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fun := ast.Unparen(call.Fun).(type) {
		case *ast.Ident:
			if !isBuiltinFunc(fun.Name) && !intTypeNames[fun.Name] && !basicTypeNames[fun.Name] &&
				fun.Name != "len" && fun.Name != "cap" && fun.Name != "make" && fun.Name != "new" &&
				fun.Name != "min" && fun.Name != "max" && fun.Name != "recover" {
				found = true
			}
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok {
				if _, imported := rw.s.sessionImport(pkg.Name); imported || pkg.Name == "_gosslrt" {
					return true
				}
			}
			found = true
		case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.InterfaceType, *ast.StructType, *ast.FuncType:
			// a conversion
		default:
			found = true
		}
		return true
	})
	return found
}

// checkedMake sends the size of make(T, n) and make(T, n, c) through
// _gosslrt.Alloc, which refuses what cannot fit under the memory limit
// before the runtime's fatal out-of-memory could.
func (rw *rewriter) checkedMake(call *ast.CallExpr) {
	id, ok := call.Fun.(*ast.Ident)
	if !ok || id.Name != "make" || len(call.Args) < 2 || call.Ellipsis.IsValid() || rw.inGeneric(call.Pos()) {
		return
	}
	switch call.Args[0].(type) {
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.Ident, *ast.SelectorExpr:
	default:
		return
	}
	size := call.Args[len(call.Args)-1]
	typ := rw.ed.src(call.Args[0].Pos(), call.Args[0].End())
	rw.ed.insert(size.Pos(), "_gosslrt.Alloc(("+typ+")(nil), ")
	rw.ed.insert(size.End(), ")")
}

// inGeneric reports whether pos lies in a generic function, where yaegi's
// handling of type parameters is too fragile for rewrites.
func (rw *rewriter) inGeneric(pos token.Pos) bool {
	if rw.generic == nil {
		rw.generic = [][2]token.Pos{}
		for _, d := range rw.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 {
				rw.generic = append(rw.generic, [2]token.Pos{fd.Pos(), fd.End()})
			}
		}
	}
	for _, r := range rw.generic {
		if pos >= r[0] && pos < r[1] {
			return true
		}
	}
	return false
}
