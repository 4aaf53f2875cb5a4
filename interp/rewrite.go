package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// rewriteFuncs edits the code of a chunk so that yaegi v0.16.1 runs it as
// Go 1.26 would: goroutines recover their panics into the cell's error,
// loop variables are per iteration, and range over ints and functions is
// turned into forms yaegi knows.
func (s *Session) rewriteFuncs(f *ast.File, ed *editor) {
	rw := &rewriter{s: s, ed: ed, file: f}
	ast.Inspect(f, rw.visit)
}

type rewriter struct {
	s    *Session
	ed   *editor
	file *ast.File
	n    int // counter for fresh names
}

func (rw *rewriter) fresh(base string) string {
	rw.n++
	return fmt.Sprintf("_gossl%s%d", base, rw.n)
}

func (rw *rewriter) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.GoStmt:
		rw.goStmt(n)
	case *ast.ForStmt:
		rw.forStmt(n)
	case *ast.RangeStmt:
		rw.rangeStmt(n)
	}
	return true
}

// goStmt makes a goroutine recover its panic and report it to the session
// (an interpreted goroutine's panic otherwise kills the process). The
// function and arguments are still evaluated by the go statement itself.
func (rw *rewriter) goStmt(g *ast.GoStmt) {
	call := g.Call
	if lit, ok := call.Fun.(*ast.FuncLit); ok && len(call.Args) == 0 {
		rw.ed.insert(lit.Body.Lbrace+1, "defer _gosslRecover();")
		return
	}
	if hasFuncLit(call.Fun) {
		// A literal with arguments: recover inside it, arguments as written.
		if lit, ok := call.Fun.(*ast.FuncLit); ok {
			rw.ed.insert(lit.Body.Lbrace+1, "defer _gosslRecover();")
		}
		return
	}
	var names, values, args []string
	fn := rw.fresh("F")
	names, values = append(names, fn), append(values, rw.ed.src(call.Fun.Pos(), call.Fun.End()))
	for i, a := range call.Args {
		if hasFuncLit(a) {
			// Keep literals in place so their own rewrites apply; they are
			// evaluated in the goroutine, which is harmless for a closure.
			args = append(args, "")
			continue
		}
		name := rw.fresh("A")
		names = append(names, name)
		values = append(values, rw.ed.src(a.Pos(), a.End()))
		args = append(args, name)
		_ = i
	}
	// Builtins cannot be assigned to a variable; leave them as written.
	if id, ok := call.Fun.(*ast.Ident); ok && isBuiltinFunc(id.Name) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{%s := %s; go func() { defer _gosslRecover(); %s(", strings.Join(names, ", "), strings.Join(values, ", "), fn)
	rw.ed.replace(g.Pos(), call.Lparen+1, b.String())
	for i, a := range call.Args {
		if args[i] != "" {
			rw.ed.replace(a.Pos(), a.End(), args[i])
		}
	}
	rw.ed.insert(call.End(), "}()}")
}

func isBuiltinFunc(name string) bool {
	switch name {
	case "print", "println", "close", "panic", "copy", "delete", "clear", "append":
		return true
	}
	return false
}

func hasFuncLit(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			found = true
		}
		return !found
	})
	return found
}

// captures reports whether body may keep a loop variable beyond its
// iteration: a closure, a goroutine, a defer or an address taken.
func captures(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				found = true
			}
		}
		return !found
	})
	return found
}

// assigns reports whether body assigns to one of names.
func assigns(body *ast.BlockStmt, names map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && names[id.Name] {
						found = true
					}
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && names[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

// forStmt gives each iteration its own copy of the loop variables (Go
// 1.22) when the body can keep them, and only when the body does not
// change them: then a copy at the top of the body is the same program.
func (rw *rewriter) forStmt(f *ast.ForStmt) {
	init, ok := f.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || !captures(f.Body) {
		return
	}
	names := map[string]bool{}
	var list []string
	for _, l := range init.Lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
			names[id.Name] = true
			list = append(list, id.Name)
		}
	}
	if len(list) == 0 || assigns(f.Body, names) {
		return
	}
	v := strings.Join(list, ", ")
	rw.ed.insert(f.Body.Lbrace+1, " "+v+" := "+v+";")
}

func (rw *rewriter) rangeStmt(r *ast.RangeStmt) {
	switch rw.rangeKind(r.X, r.Pos()) {
	case rangeInt:
		rw.rangeInt(r)
		return
	case rangeFunc:
		rw.rangeFunc(r)
		return
	}
	if r.Tok != token.DEFINE || !captures(r.Body) {
		return
	}
	var list []string
	for _, e := range []ast.Expr{r.Key, r.Value} {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			list = append(list, id.Name)
		}
	}
	if len(list) > 0 {
		v := strings.Join(list, ", ")
		rw.ed.insert(r.Body.Lbrace+1, " "+v+" := "+v+";")
	}
}

// rangeInt turns `for i := range n` into a counting loop of n's type.
func (rw *rewriter) rangeInt(r *ast.RangeStmt) {
	x := rw.ed.src(r.X.Pos(), r.X.End())
	key := "_"
	if id, ok := r.Key.(*ast.Ident); ok {
		key = id.Name
	}
	end := rw.fresh("End")
	if key == "_" {
		key = rw.fresh("I")
	}
	zero := "(" + x + ")*0"
	if !isPure(r.X) {
		zero = "0" // a call: len(s), int(f()) ...; its type is int
	}
	var head string
	if r.Tok == token.ASSIGN {
		head = fmt.Sprintf("for %s := %s; %s < %s; %s++ ", end, x, key, end, key)
		rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("%s = %s; ", key, zero)+head)
		return
	}
	head = fmt.Sprintf("for %s, %s := %s, %s; %s < %s; %s++ ", key, end, zero, x, key, end, key)
	rw.ed.replace(r.For, r.Body.Lbrace, head)
	if r.Tok == token.DEFINE && captures(r.Body) && key[0] != '_' && !assigns(r.Body, map[string]bool{key: true}) {
		rw.ed.insert(r.Body.Lbrace+1, " "+key+" := "+key+";")
	}
}

// rangeFunc turns `for k, v := range seq` into a range over a channel fed
// by seq in a goroutine. Breaking out early leaves that goroutine blocked.
func (rw *rewriter) rangeFunc(r *ast.RangeStmt) {
	x := rw.ed.src(r.X.Pos(), r.X.End())
	ident := func(e ast.Expr) string {
		if id, ok := e.(*ast.Ident); ok {
			return id.Name
		}
		if e == nil {
			return "_"
		}
		return rw.ed.src(e.Pos(), e.End())
	}
	k, v := ident(r.Key), ident(r.Value)
	tok := ":="
	if r.Tok == token.ASSIGN {
		tok = "="
	}
	if r.Value == nil {
		if k == "_" {
			rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for range _gosslSeq(%s) ", x))
			return
		}
		rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for %s %s range _gosslSeq(%s) ", k, tok, x))
		return
	}
	p := rw.fresh("P")
	rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for %s := range _gosslSeq2(%s) ", p, x))
	if tok == ":=" {
		rw.ed.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s, %s := %s.K, %s.V; _, _ = %s, %s;", k, v, p, p, blankOr(k), blankOr(v)))
	} else {
		rw.ed.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s, %s = %s.K, %s.V;", k, v, p, p))
	}
}

func blankOr(name string) string {
	if name == "_" {
		return "0"
	}
	return name
}

// isPure reports whether evaluating e twice is the same as once.
func isPure(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.SelectorExpr:
		return isPure(e.X)
	case *ast.ParenExpr:
		return isPure(e.X)
	case *ast.BinaryExpr:
		return isPure(e.X) && isPure(e.Y)
	case *ast.UnaryExpr:
		return e.Op != token.ARROW && isPure(e.X)
	}
	return false
}

type rangeKindT int

const (
	rangeOther rangeKindT = iota
	rangeInt
	rangeFunc
)

var intTypeNames = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true}

// seqFuncs are the standard library functions that return iterators.
var seqFuncs = map[string]bool{
	"slices.All": true, "slices.Values": true, "slices.Backward": true, "slices.Chunk": true,
	"maps.All": true, "maps.Keys": true, "maps.Values": true,
	"strings.Lines": true, "strings.SplitSeq": true, "strings.SplitAfterSeq": true, "strings.FieldsSeq": true, "strings.FieldsFuncSeq": true,
	"bytes.Lines": true, "bytes.SplitSeq": true, "bytes.SplitAfterSeq": true, "bytes.FieldsSeq": true, "bytes.FieldsFuncSeq": true,
}

// rangeKind guesses from the syntax, the cell's definitions before pos and
// the session's globals whether x is an integer or a function. yaegi
// ranges over everything else itself.
func (rw *rewriter) rangeKind(x ast.Expr, pos token.Pos) rangeKindT {
	return rw.exprKind(x, pos, 0)
}

func (rw *rewriter) exprKind(x ast.Expr, pos token.Pos, depth int) rangeKindT {
	if depth > 8 {
		return rangeOther
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			return rangeInt
		}
	case *ast.ParenExpr:
		return rw.exprKind(x.X, pos, depth+1)
	case *ast.FuncLit:
		return rangeFunc
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			if k := rw.exprKind(x.X, pos, depth+1); k == rangeInt {
				return k
			}
			return rw.exprKind(x.Y, pos, depth+1)
		}
	case *ast.UnaryExpr:
		if x.Op == token.SUB || x.Op == token.ADD {
			return rw.exprKind(x.X, pos, depth+1)
		}
	case *ast.CallExpr:
		switch fun := x.Fun.(type) {
		case *ast.Ident:
			if fun.Name == "len" || fun.Name == "cap" || intTypeNames[fun.Name] {
				return rangeInt
			}
			return rw.s.decls.resultKind(fun.Name)
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok {
				if seqFuncs[pkg.Name+"."+fun.Sel.Name] {
					return rangeFunc
				}
				if rw.s.compiledResultKind(pkg.Name, fun.Sel.Name) == rangeFunc {
					return rangeFunc
				}
			}
		}
	case *ast.Ident:
		if k, ok := rw.localKind(x.Name, pos, depth); ok {
			return k
		}
		return rw.s.globalKind(x.Name)
	}
	return rangeOther
}

// localKind finds the latest definition of name before pos in the chunk
// (x := e, var x = e, var x T, a parameter x T) and classifies it.
func (rw *rewriter) localKind(name string, pos token.Pos, depth int) (rangeKindT, bool) {
	var kind rangeKindT
	var found bool
	var best token.Pos
	consider := func(at token.Pos, k rangeKindT) {
		if at < pos && at >= best {
			best, kind, found = at, k, true
		}
	}
	ast.Inspect(rw.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE || len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name && n.Pos() < pos {
					consider(n.Pos(), rw.exprKind(n.Rhs[i], n.Pos(), depth+1))
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name != name {
					continue
				}
				switch {
				case n.Type != nil:
					consider(n.Pos(), typeKind(n.Type))
				case i < len(n.Values):
					consider(n.Pos(), rw.exprKind(n.Values[i], n.Pos(), depth+1))
				}
			}
		case *ast.Field:
			for _, id := range n.Names {
				if id.Name == name {
					consider(n.Pos(), typeKind(n.Type))
				}
			}
		}
		return true
	})
	return kind, found
}

// typeKind classifies a written type.
func typeKind(t ast.Expr) rangeKindT {
	switch t := t.(type) {
	case *ast.Ident:
		if intTypeNames[t.Name] {
			return rangeInt
		}
	case *ast.FuncType:
		return rangeFunc
	case *ast.IndexExpr:
		return typeKind(t.X)
	case *ast.IndexListExpr:
		return typeKind(t.X)
	case *ast.SelectorExpr:
		if pkg, ok := t.X.(*ast.Ident); ok && pkg.Name == "iter" && strings.HasPrefix(t.Sel.Name, "Seq") {
			return rangeFunc
		}
		if pkg, ok := t.X.(*ast.Ident); ok && pkg.Name == "time" && t.Sel.Name == "Duration" {
			return rangeInt
		}
	}
	return rangeOther
}

// globalKind classifies a variable or constant of the session's scope.
func (s *Session) globalKind(name string) rangeKindT {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	v, ok := ip.Globals()[name]
	if !ok || !v.IsValid() {
		return rangeOther
	}
	return reflectKind(v.Type())
}

func reflectKind(t reflect.Type) rangeKindT {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rangeInt
	case reflect.Func:
		return rangeFunc
	}
	return rangeOther
}

// compiledResultKind classifies the first result of a compiled function
// pkg.name from the symbol tables.
func (s *Session) compiledResultKind(pkg, name string) rangeKindT {
	s.mu.Lock()
	path, ok := s.imports[pkg]
	s.mu.Unlock()
	if !ok {
		return rangeOther
	}
	v, ok := symbolsFor(path)[name]
	if !ok || v.Kind() != reflect.Func || v.Type().NumOut() == 0 {
		return rangeOther
	}
	return reflectKind(v.Type().Out(0))
}
