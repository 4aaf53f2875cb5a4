package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// yaegi places a runtime panic at the first statement of the function (or
// chunk) it happened in, not at the faulting expression. placePanic moves
// the error to the first expression after that point, in the same
// function, that can fault the way the message says: a selector or
// dereference for a nil pointer, a call for a nil function, a division for
// a division by zero, an index on the left of an assignment for a nil map.
// A cell's last expression runs in a wrapper whose head sits one line
// above it; a panic placed there belongs to the expression.
func placePanic(cell string, ch chunk, ce *CellError) {
	if ce.Line == 0 || ch.start > len(cell) {
		return
	}
	chLine, chCol := lineCol(cell, ch.start)
	if ce.Line == chLine-1 || (ce.Line == chLine && ce.Col < chCol) {
		ce.at(cell, chLine, chCol)
	}
	want := faultKind(ce.Msg)
	if want == nil {
		return
	}
	if at := offsetOf(cell, ce.Line, ce.Col); at < ch.start || at >= ch.start+len(ch.text) {
		// a function an earlier chunk of the cell declared
		found := false
		for _, c := range splitCell(cell) {
			if c.start <= at && at < c.start+len(c.text) {
				ch, found = c, true
				break
			}
		}
		if !found {
			return
		}
	}
	prefix, src := declPrefix, declPrefix+ch.text
	if ch.kind == stmtChunk {
		prefix, src = stmtPrefix, stmtPrefix+ch.text+"\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", src, 0)
	if err != nil {
		return
	}
	from := offsetOf(cell, ce.Line, ce.Col) - ch.start // in the chunk
	if from < 0 {
		return
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset - len(prefix) }
	// the innermost function whose body holds the starting point
	var region ast.Node = f
	ast.Inspect(f, func(n ast.Node) bool {
		var body *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncLit:
			body = n.Body
		case *ast.FuncDecl:
			if n.Name.Name != "_" || off(n.Pos()) >= 0 {
				body = n.Body
			}
		}
		if body != nil && off(body.Lbrace) <= from && from < off(body.Rbrace) {
			region = body
		}
		return true
	})
	found := -1
	ast.Inspect(region, func(n ast.Node) bool {
		if found >= 0 || n == nil {
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && n != region && !(off(lit.Body.Lbrace) <= from && from < off(lit.Body.Rbrace)) {
			return false // another function's frame
		}
		if o := off(n.Pos()); o >= from && want(n) {
			found = o
			return false
		}
		return true
	})
	if found >= 0 && ch.start+found <= len(cell) {
		line, col := lineCol(cell, ch.start+found)
		ce.at(cell, line, col)
	}
}

// faultKind returns which expressions can raise the runtime panic msg.
func faultKind(msg string) func(ast.Node) bool {
	switch {
	case msg == nilDeref:
		return func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				_, isPkg := n.X.(*ast.Ident)
				return !isPkg || !isPackageLike(n.X.(*ast.Ident))
			case *ast.StarExpr:
				return true
			case *ast.CallExpr:
				id, ok := n.Fun.(*ast.Ident)
				return ok && !isBuiltinFunc(id.Name) && !intTypeNames[id.Name] && !basicTypeNames[id.Name]
			}
			return false
		}
	case strings.HasSuffix(msg, "integer divide by zero"):
		return func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				return n.Op == token.QUO || n.Op == token.REM
			case *ast.AssignStmt:
				return n.Tok == token.QUO_ASSIGN || n.Tok == token.REM_ASSIGN
			}
			return false
		}
	case msg == "assignment to entry in nil map":
		return func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if _, ok := l.(*ast.IndexExpr); ok {
						return true
					}
				}
			case *ast.IncDecStmt:
				_, ok := n.X.(*ast.IndexExpr)
				return ok
			}
			return false
		}
	case strings.HasPrefix(msg, "runtime error: index out of range"):
		return func(n ast.Node) bool { _, ok := n.(*ast.IndexExpr); return ok }
	case strings.HasPrefix(msg, "runtime error: slice bounds out of range"):
		return func(n ast.Node) bool { _, ok := n.(*ast.SliceExpr); return ok }
	}
	return nil
}

// isPackageLike guesses that a lower-case identifier that is not declared in
// the chunk names a package (fmt.Println). A wrong guess only makes the
// search skip a candidate.
func isPackageLike(id *ast.Ident) bool {
	return id.Obj == nil && knownPackages[id.Name]
}

var knownPackages = map[string]bool{"fmt": true, "math": true, "strings": true, "strconv": true, "os": true,
	"sort": true, "time": true, "errors": true, "rand": true, "display": true, "bytes": true, "slices": true,
	"maps": true, "sync": true, "io": true, "json": true, "tensor": true, "gorgonia": true, "plot": true,
	"runtime": true, "context": true, "filepath": true, "regexp": true, "unicode": true, "utf8": true}

// offsetOf is the byte offset of line:col in cell.
func offsetOf(cell string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(cell[off:], '\n')
		if i < 0 {
			return len(cell)
		}
		off += i + 1
	}
	return min(off+col-1, len(cell))
}
