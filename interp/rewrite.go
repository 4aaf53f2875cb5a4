package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// rewriteFuncs edits the code of a chunk so that yaegi v0.16.1 runs it as
// Go 1.26 would. Its walk (visit) makes these rewrites, one method each,
// in this file unless another is named (TestRewriteDocListsVisit checks
// that this list names every method visit calls and nothing else):
//
//   - commaOkAssigns (commaok.go): v, ok = m[k], x.(T), <-ch zero v on failure
//   - nilAssigns (nilassign.go): nils of a parallel assignment assigned alone
//   - parallelAssigns (assignfix.go): a, b = r, true through fresh variables
//   - recvReturns (assignfix.go): return <-ch receives into a variable first
//   - goStmt: goroutines recover their panics into the cell's error
//   - checkLoop (stalerun.go): top-level loops stop once their cell is over
//   - forStmt: loop variables per iteration
//   - rangeStmt: range over ints and functions; range variables per iteration
//   - selector: generic standard-library functions and compiled stand-ins
//   - inferTypeArgs (inference.go): type arguments of a cell's generic calls
//   - printCall: print and println write to the cell's stderr
//   - minMax: min and max, generic, with typed constant arguments
//   - checkedMake (guardrw.go): make's size checked against the memory limit
//   - renameMain: a cell's main is _gosslMain
//   - guardFunc (guardrw.go): functions that may recurse count their depth
//   - methodDecl (methods.go): methods called through a redefinable slot
//
// at maps an offset in the chunk text to the cell's line and column.
func (s *Session) rewriteFuncs(f *ast.File, ed *editor, at func(off int) (line, col int)) {
	swaps := rewriteChunk(s, f, ed, at)
	if ed.prefix == len(declPrefix) {
		s.decls.setSwaps(swaps)
	}
}

// rewriteChunk makes the edits of rewriteFuncs, asking sc what the syntax
// does not tell, and returns the slot assignments that point redefined
// methods at their new bodies (methods.go).
func rewriteChunk(sc rewriteScope, f *ast.File, ed *editor, at func(off int) (line, col int)) (swaps []string) {
	rw := &rewriter{s: sc, ed: ed, file: f, at: at}
	ast.Inspect(f, rw.visit)
	return rw.swaps
}

type rewriter struct {
	s    rewriteScope
	at   func(off int) (line, col int)
	ed   *editor
	file *ast.File
	n    int // counter for fresh names

	generic [][2]token.Pos // ranges of generic functions (see inGeneric)
	funcs   [][2]token.Pos // bodies of the chunk's functions (see inFunc)
	swaps   []string       // slots of redefined methods to point at new bodies (methods.go)
}

// userMain is what a cell's func main is called: yaegi would run a
// function named main after every later program.
const userMain = "_gosslMain"

// renameMain renames a cell's func main, and its calls, to userMain.
func (rw *rewriter) renameMain(n ast.Node) {
	var id *ast.Ident
	switch n := n.(type) {
	case *ast.CallExpr:
		id, _ = n.Fun.(*ast.Ident)
	case *ast.FuncDecl:
		if n.Recv == nil {
			id = n.Name
		}
	}
	if id != nil && id.Name == "main" {
		rw.ed.replace(id.Pos(), id.End(), userMain)
	}
}

func (rw *rewriter) fresh(base string) string {
	rw.n++
	return fmt.Sprintf("_gossl%s%d", base, rw.n)
}

func (rw *rewriter) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BlockStmt:
		rw.commaOkAssigns(n.List)
		rw.nilAssigns(n.List)
		rw.parallelAssigns(n.List)
	case *ast.CaseClause:
		rw.commaOkAssigns(n.Body)
		rw.nilAssigns(n.Body)
		rw.parallelAssigns(n.Body)
	case *ast.CommClause:
		rw.commaOkAssigns(n.Body)
		rw.nilAssigns(n.Body)
		rw.parallelAssigns(n.Body)
	case *ast.ReturnStmt:
		rw.recvReturns(n)
	case *ast.GoStmt:
		rw.goStmt(n)
	case *ast.ForStmt:
		rw.checkLoop(n.Body)
		rw.forStmt(n)
	case *ast.RangeStmt:
		rw.checkLoop(n.Body)
		rw.rangeStmt(n)
	case *ast.SelectorExpr:
		rw.selector(n)
	case *ast.CallExpr:
		rw.inferTypeArgs(n)
		rw.printCall(n)
		rw.minMax(n)
		rw.checkedMake(n)
		rw.renameMain(n)
	case *ast.FuncDecl:
		rw.renameMain(n)
		name := n.Name.Name
		if n.Recv != nil && len(n.Recv.List) == 1 {
			name = recvTypeName(n.Recv.List[0].Type) + "." + name
		}
		rw.guardFunc(name, n.Type, n.Body)
		rw.methodDecl(n)
	case *ast.FuncLit:
		rw.guardFunc("func literal", n.Type, n.Body)
	}
	return true
}

// selector sends the generic standard-library functions that extract
// skipped to their interpreted versions.
func (rw *rewriter) selector(sel *ast.SelectorExpr) {
	if repl := rw.selectorRepl(sel); repl != "" {
		rw.ed.replace(sel.Pos(), sel.End(), repl)
	}
}

func (rw *rewriter) selectorRepl(sel *ast.SelectorExpr) string {
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	path, _ := rw.s.sessionImport(pkg.Name)
	switch {
	case path == "iter" && (sel.Sel.Name == "Seq" || sel.Sel.Name == "Seq2"):
		return "_gosslgen." + sel.Sel.Name
	case genericStdlib[path+"."+sel.Sel.Name]:
		return genericName(path, sel.Sel.Name)
	case compiledStandIns[path+"."+sel.Sel.Name] != "":
		return compiledStandIns[path+"."+sel.Sel.Name]
	}
	return ""
}

// exprText is the source of e (an expression, or a field list such as a
// method's results) with its selectors rewritten, for rewrites that move
// it (the edits of its children come later).
func (rw *rewriter) exprText(e ast.Node) string {
	var b strings.Builder
	pos := e.Pos()
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if repl := rw.selectorRepl(sel); repl != "" && sel.Pos() >= pos {
				b.WriteString(rw.ed.src(pos, sel.Pos()))
				b.WriteString(repl)
				pos = sel.End()
				return false
			}
		}
		return true
	})
	b.WriteString(rw.ed.src(pos, e.End()))
	return b.String()
}

// printCall sends the builtins print and println to compiled versions
// that write to os.Stderr, which the cell's output captures.
func (rw *rewriter) printCall(call *ast.CallExpr) {
	if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "print" || id.Name == "println") {
		rw.ed.replace(id.Pos(), id.End(), "_gosslrt."+strings.ToUpper(id.Name[:1])+id.Name[1:])
	}
}

// minMax sends min and max to generic functions interpreted from source
// (yaegi v0.16.1 has no such builtins) and gives their untyped constant
// arguments a type, which yaegi's generic inference needs: the type of a
// plain variable among the arguments (v*0 + 2 has v's type), else
// float64, rune or int.
func (rw *rewriter) minMax(call *ast.CallExpr) {
	id, ok := call.Fun.(*ast.Ident)
	if !ok || (id.Name != "min" && id.Name != "max") || len(call.Args) == 0 || rw.s.resultCount(id.Name) >= 0 {
		return
	}
	rw.ed.replace(id.Pos(), id.End(), "_gosslgen."+strings.ToUpper(id.Name[:1])+id.Name[1:])
	var typed ast.Expr
	float, char := false, false
	for _, a := range call.Args {
		switch a := ast.Unparen(a).(type) {
		case *ast.BasicLit:
			float = float || a.Kind == token.FLOAT
			char = char || a.Kind == token.CHAR
		case *ast.Ident, *ast.SelectorExpr:
			if typed == nil && isPure(a) {
				typed = a
			}
		default:
			return
		}
	}
	for _, a := range call.Args {
		lit, ok := ast.Unparen(a).(*ast.BasicLit)
		if !ok || lit.Kind == token.STRING {
			continue
		}
		l := rw.ed.src(a.Pos(), a.End())
		switch {
		case typed != nil:
			v := rw.ed.src(typed.Pos(), typed.End())
			rw.ed.replace(a.Pos(), a.End(), "("+v+"*0 + "+l+")")
		case float:
			rw.ed.replace(a.Pos(), a.End(), "float64("+l+")")
		case char:
			rw.ed.replace(a.Pos(), a.End(), "rune("+l+")")
		default:
			rw.ed.replace(a.Pos(), a.End(), "int("+l+")")
		}
	}
}

// goStmt makes a goroutine recover its panic and report it to the session
// (an interpreted goroutine's panic otherwise kills the process). The
// function and arguments are still evaluated by the go statement itself.
func (rw *rewriter) goStmt(g *ast.GoStmt) {
	line, col := rw.at(rw.ed.offset(g.Pos()))
	recoverCall := fmt.Sprintf("defer _gosslRecover(%d, %d);", line, col)
	call := g.Call
	if lit, ok := call.Fun.(*ast.FuncLit); ok && len(call.Args) == 0 {
		rw.ed.insert(lit.Body.Lbrace+1, recoverCall)
		return
	}
	if hasFuncLit(call.Fun) {
		// A literal with arguments: recover inside it, arguments as written.
		if lit, ok := call.Fun.(*ast.FuncLit); ok {
			rw.ed.insert(lit.Body.Lbrace+1, recoverCall)
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
	fmt.Fprintf(&b, "{%s := %s; go func() { %s %s(", strings.Join(names, ", "), strings.Join(values, ", "), recoverCall, fn)
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
// change them: the loop then counts with renamed variables and the body
// starts with a fresh copy under the user's names. (yaegi mishandles
// `i := i` in a loop body, hence the renaming.)
func (rw *rewriter) forStmt(f *ast.ForStmt) {
	init, ok := f.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || !captures(f.Body) {
		return
	}
	names := map[string]string{}
	var list, renamed []string
	for _, l := range init.Lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
			names[id.Name] = rw.fresh("L")
			list = append(list, id.Name)
			renamed = append(renamed, names[id.Name])
		}
	}
	set := map[string]bool{}
	for n := range names {
		set[n] = true
	}
	if len(list) == 0 || assigns(f.Body, set) {
		return
	}
	for _, part := range []ast.Node{f.Init, f.Cond, f.Post} {
		if part == nil {
			continue
		}
		ast.Inspect(part, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && names[id.Name] != "" {
				rw.ed.replace(id.Pos(), id.End(), names[id.Name])
			}
			return true
		})
	}
	rw.freshBody(f.Body, strings.Join(list, ", ")+" := "+strings.Join(renamed, ", ")+";")
}

// freshBody starts body with decl, which copies the loop variables. At
// the top level of a cell yaegi makes every := a global, shared by all
// iterations, so the body runs in a function literal when it can: when
// it has no break, continue, goto, return or defer of its own.
func (rw *rewriter) freshBody(body *ast.BlockStmt, decl string) {
	wrap := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt, *ast.ReturnStmt, *ast.DeferStmt:
			wrap = false
		}
		return wrap
	})
	if !wrap {
		rw.ed.insert(body.Lbrace+1, " "+decl)
		return
	}
	rw.ed.insert(body.Lbrace+1, " func() { "+decl)
	rw.ed.insert(body.Rbrace, " }();")
}

func (rw *rewriter) rangeStmt(r *ast.RangeStmt) {
	info := rw.rangeKind(r.X, r.Pos())
	switch info.kind {
	case rangeInt:
		rw.rangeInt(r)
		return
	case rangeFunc:
		rw.rangeFunc(r, info)
		return
	}
	if r.Tok != token.DEFINE || !captures(r.Body) {
		return
	}
	// Fresh variables per iteration: range into renamed variables and
	// copy them at the top of the body (see forStmt).
	var list, renamed []string
	for _, e := range []ast.Expr{r.Key, r.Value} {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			name := rw.fresh("L")
			rw.ed.replace(id.Pos(), id.End(), name)
			list = append(list, id.Name)
			renamed = append(renamed, name)
		}
	}
	if len(list) > 0 {
		rw.freshBody(r.Body, strings.Join(list, ", ")+" := "+strings.Join(renamed, ", ")+";")
	}
}

// rangeInt turns `for i := range n` into a counting loop of n's type.
func (rw *rewriter) rangeInt(r *ast.RangeStmt) {
	x := rw.exprText(r.X)
	key := "_"
	if id, ok := r.Key.(*ast.Ident); ok {
		key = id.Name
	}
	end := rw.fresh("End")
	userKey := ""
	if key == "_" {
		key = rw.fresh("I")
	} else if r.Tok == token.DEFINE && captures(r.Body) && !assigns(r.Body, map[string]bool{key: true}) {
		// a fresh variable per iteration (see forStmt)
		userKey, key = key, rw.fresh("L")
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
	if userKey != "" {
		rw.freshBody(r.Body, userKey+" := "+key+";")
	}
}

// rangeFunc turns `for k, v := range seq` into a range over a channel fed
// by seq in a goroutine. Breaking out early leaves that goroutine blocked.
func (rw *rewriter) rangeFunc(r *ast.RangeStmt, info rangeInfo) {
	x := rw.exprText(r.X)
	if info.conv != "" {
		x = "(" + info.conv + ")(" + x + ")"
	}
	two := info.pairs
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
	if r.Value == nil && !two {
		if k == "_" {
			rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for range _gosslSeq(%s) ", x))
			return
		}
		rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for %s %s range _gosslSeq(%s) ", k, tok, x))
		return
	}
	if r.Value == nil {
		v = "_"
	}
	p := rw.fresh("P")
	rw.ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for %s := range _gosslSeq2(%s) ", p, x))
	if tok == ":=" {
		rw.ed.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s, %s := %s.Key, %s.Value; _, _ = %s, %s;", k, v, p, p, blankOr(k), blankOr(v)))
	} else {
		rw.ed.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s, %s = %s.Key, %s.Value;", k, v, p, p))
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

// rangeInfo is what the rewriter knows of a range expression: its kind,
// for a compiled iterator the func type to convert it to (yaegi does not
// infer type arguments from compiled named types such as iter.Seq[string]),
// and whether it yields pairs.
type rangeInfo struct {
	kind  rangeKindT
	conv  string
	pairs bool
}

var intTypeNames = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true, "byte": true, "rune": true}

// pairSeqFuncs are the interpreted standard iterators that yield pairs.
var pairSeqFuncs = map[string]bool{"slices.All": true, "slices.Backward": true, "maps.All": true}

// rangeKind guesses from the syntax, the cell's definitions before pos and
// the session's globals whether x is an integer or a function. yaegi
// ranges over everything else itself.
func (rw *rewriter) rangeKind(x ast.Expr, pos token.Pos) rangeInfo {
	return rw.exprKind(x, pos, 0)
}

func (rw *rewriter) exprKind(x ast.Expr, pos token.Pos, depth int) rangeInfo {
	if depth > 8 {
		return rangeInfo{}
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			return rangeInfo{kind: rangeInt}
		}
	case *ast.ParenExpr:
		return rw.exprKind(x.X, pos, depth+1)
	case *ast.FuncLit:
		return typeInfo(x.Type)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			if k := rw.exprKind(x.X, pos, depth+1); k.kind == rangeInt {
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
				return rangeInfo{kind: rangeInt}
			}
			return rw.resultInfo(fun.Name)
		case *ast.IndexExpr: // an explicitly instantiated generic function
			if id, ok := fun.X.(*ast.Ident); ok {
				return rw.resultInfo(id.Name)
			}
		case *ast.SelectorExpr:
			if pkg, ok := fun.X.(*ast.Ident); ok {
				path, _ := rw.s.sessionImport(pkg.Name)
				if genericStdlib[path+"."+fun.Sel.Name] {
					switch fun.Sel.Name {
					case "All", "Values", "Keys", "Backward":
						return rangeInfo{kind: rangeFunc, pairs: pairSeqFuncs[path+"."+fun.Sel.Name]}
					}
					return rangeInfo{}
				}
				return rw.compiledResultInfo(path, fun.Sel.Name)
			}
		}
	case *ast.Ident:
		if k, ok := rw.localKind(x.Name, pos, depth); ok {
			return k
		}
		return rw.globalInfo(x.Name)
	}
	return rangeInfo{}
}

// localKind finds the latest definition of name before pos in the chunk
// (x := e, var x = e, var x T, a parameter x T) and classifies it.
func (rw *rewriter) localKind(name string, pos token.Pos, depth int) (rangeInfo, bool) {
	var kind rangeInfo
	var found bool
	var best token.Pos
	consider := func(at token.Pos, k rangeInfo) {
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
					consider(n.Pos(), typeInfo(n.Type))
				case i < len(n.Values):
					consider(n.Pos(), rw.exprKind(n.Values[i], n.Pos(), depth+1))
				}
			}
		case *ast.Field:
			for _, id := range n.Names {
				if id.Name == name {
					consider(n.Pos(), typeInfo(n.Type))
				}
			}
		}
		return true
	})
	return kind, found
}

// typeInfo classifies a written type.
func typeInfo(t ast.Expr) rangeInfo {
	switch t := t.(type) {
	case *ast.Ident:
		if intTypeNames[t.Name] {
			return rangeInfo{kind: rangeInt}
		}
	case *ast.FuncType:
		// func(yield func(K, V) bool): pairs when yield takes two.
		if t.Params != nil && len(t.Params.List) == 1 {
			if y, ok := t.Params.List[0].Type.(*ast.FuncType); ok {
				n := 0
				for _, f := range y.Params.List {
					n += max(1, len(f.Names))
				}
				return rangeInfo{kind: rangeFunc, pairs: n == 2}
			}
		}
		return rangeInfo{kind: rangeFunc}
	case *ast.IndexExpr:
		return typeInfo(t.X)
	case *ast.IndexListExpr:
		return typeInfo(t.X)
	case *ast.SelectorExpr:
		if pkg, ok := t.X.(*ast.Ident); ok && pkg.Name == "iter" && strings.HasPrefix(t.Sel.Name, "Seq") {
			return rangeInfo{kind: rangeFunc, pairs: t.Sel.Name == "Seq2"}
		}
		if pkg, ok := t.X.(*ast.Ident); ok && pkg.Name == "time" && t.Sel.Name == "Duration" {
			return rangeInfo{kind: rangeInt}
		}
	}
	return rangeInfo{}
}

// resultInfo classifies the first result of a function declared by a cell.
func (rw *rewriter) resultInfo(name string) rangeInfo {
	if t := rw.s.resultType(name); t != nil {
		return typeInfo(t)
	}
	return rangeInfo{}
}

// globalInfo classifies a variable or constant of the session's scope.
func (rw *rewriter) globalInfo(name string) rangeInfo {
	if t := rw.s.globalType(name); t != nil {
		return reflectInfo(t)
	}
	return rangeInfo{}
}

func reflectInfo(t reflect.Type) rangeInfo {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rangeInfo{kind: rangeInt}
	case reflect.Func:
		if t.NumIn() != 1 || t.In(0).Kind() != reflect.Func {
			return rangeInfo{kind: rangeFunc}
		}
		y := t.In(0)
		return rangeInfo{kind: rangeFunc, conv: "func(" + y.String() + ")", pairs: y.NumIn() == 2}
	}
	return rangeInfo{}
}

// compiledResultInfo classifies the first result of a compiled function
// from the symbol tables.
func (rw *rewriter) compiledResultInfo(path, name string) rangeInfo {
	t := rw.s.compiledFunc(path, name)
	if t == nil || t.NumOut() == 0 {
		return rangeInfo{}
	}
	return reflectInfo(t.Out(0))
}
