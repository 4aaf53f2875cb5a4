package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"strings"
)

// placeUndefined checks where an "undefined: name" error points. yaegi
// remembers an undefined name from the first program that used it and
// later reports that old position, in whatever cell fails next; the name's
// first use in the chunk being compiled is where the error belongs.
//
// Every compile error passes here, so it also rewords yaegi's failures of
// type inference (see explainInference).
func placeUndefined(cell string, ch chunk, e *CellError) {
	explainInference(cell, e)
	name, ok := strings.CutPrefix(e.Msg, "undefined: ")
	if !ok || name == "" {
		return
	}
	if e.Line > 0 && identAt(cell, e.Line, e.Col) == name {
		return
	}
	if off, ok := firstUse(ch.text, name); ok {
		line, col := lineCol(cell, ch.start+off)
		e.at(cell, line, col)
	}
}

// identAt is the identifier that starts at line:col of code, if any.
func identAt(code string, line, col int) string {
	lines := strings.Split(code, "\n")
	if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
		return ""
	}
	rest := lines[line-1][col-1:]
	end := strings.IndexFunc(rest, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	})
	if end < 0 {
		end = len(rest)
	}
	return rest[:end]
}

// firstUse is the offset in text of the first identifier name that is not
// a selector's field or method (x.name).
func firstUse(text, name string) (int, bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("chunk", -1, len(text))
	var s scanner.Scanner
	s.Init(file, []byte(text), nil, 0)
	prev := token.ILLEGAL
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return 0, false
		}
		if tok == token.IDENT && lit == name && prev != token.PERIOD {
			return file.Offset(pos), true
		}
		prev = tok
	}
}

// explainUndefined replaces a message of yaegi that means nothing to the
// user ("constant definition loop", a compiler panic without position) by
// "undefined: name" when a statement chunk uses a name nothing defines.
func (s *Session) explainUndefined(cell string, ch chunk, e *CellError) {
	if ch.kind != stmtChunk {
		return
	}
	if name, off, ok := s.firstUndefined(ch); ok {
		e.Msg = "undefined: " + name
		line, col := lineCol(cell, ch.start+off)
		e.at(cell, line, col)
	}
}

// firstUndefined finds the first name that a statement chunk uses and
// nothing defines: not the chunk, not the session's scope, not Go's
// universe. yaegi says "constant definition loop" for an undefined name in
// a top-level definition and, once a name has failed before, may not say
// better even inside a function. The search is conservative: a name the
// chunk declares anywhere counts as defined everywhere in it.
func (s *Session) firstUndefined(ch chunk) (name string, off int, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", stmtPrefix+ch.text+"\n}", 0)
	if err != nil {
		return "", 0, false
	}
	declared := map[string]bool{}
	declare := func(ids ...*ast.Ident) {
		for _, id := range ids {
			declared[id.Name] = true
		}
	}
	skip := map[*ast.Ident]bool{} // field names and keys that may be fields
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						declare(id)
					}
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok && n.Tok == token.DEFINE {
					declare(id)
				}
			}
		case *ast.ValueSpec:
			declare(n.Names...)
		case *ast.TypeSpec:
			declare(n.Name)
		case *ast.Field:
			declare(n.Names...)
		case *ast.LabeledStmt:
			declare(n.Label)
		case *ast.BranchStmt:
			if n.Label != nil {
				skip[n.Label] = true
			}
		case *ast.SelectorExpr:
			skip[n.Sel] = true
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				skip[id] = true
			}
		case *ast.TypeSwitchStmt:
			if as, ok := n.Assign.(*ast.AssignStmt); ok {
				for _, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						declare(id)
					}
				}
			}
		}
		return true
	})
	globals := s.globalNames()
	body := f.Decls[0].(*ast.FuncDecl).Body
	ast.Inspect(body, func(n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if ok || !isID || skip[id] || declared[id.Name] || id.Name == "_" || globals[id.Name] ||
			strings.HasPrefix(id.Name, "_gossl") || types.Universe.Lookup(id.Name) != nil {
			return !ok
		}
		name, off, ok = id.Name, fset.Position(id.Pos()).Offset-len(stmtPrefix), true
		return false
	})
	return name, off, ok
}

// globalNames are the names of the session's scope: variables and
// constants, declared functions and types, imported packages.
func (s *Session) globalNames() map[string]bool {
	s.mu.Lock()
	ip := s.ip
	names := map[string]bool{}
	for n := range s.imports {
		names[n] = true
	}
	s.mu.Unlock()
	for n := range ip.Globals() {
		names[n] = true
	}
	s.decls.mu.Lock()
	for n := range s.decls.decls {
		names[n] = true
	}
	s.decls.mu.Unlock()
	for _, n := range []string{"min", "max", "clear", "main"} {
		names[n] = true // the prelude's and the rewriter's
	}
	return names
}
