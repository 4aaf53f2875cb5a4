package interp

import (
	"go/ast"
	"go/token"
	"strings"
)

// Planning a chunk of statements: which parts of it yaegi compiles in one
// piece, which top-level definitions run on their own in a function
// literal (defineFromGeneric, globaldefs.go), and how the cell's result is
// shown. The planner only reads the syntax and asks the session's scope
// (stmtScope); runStmts (eval.go) runs what it plans.

// stmtScope is what planning asks of the session's scope. Each answer is
// for the scope as it is when asked: the planner asks about a statement
// only once the steps before it have run.
type stmtScope interface {
	// varsReadGlobals: see pkgindex.go.
	varsReadGlobals(decls []ast.Decl, defined map[string]bool) bool
	// callsGeneric: see globaldefs.go.
	callsGeneric(as *ast.AssignStmt) bool
	// indexesCompiledVar: see pkgindex.go.
	indexesCompiledVar(as *ast.AssignStmt) bool
	// valueCount: see scope.go.
	valueCount(e ast.Expr, f *ast.File) int
}

var _ stmtScope = (*Session)(nil)

type stepKind int

const (
	stepRun    stepKind = iota // compile and run the edited text from..to
	stepDefine                 // run stmt (from..to) in a function literal and declare lhs from its values
	stepShow                   // run the expression from..to and show its values
)

// stmtStep is one thing the runner does, on chunk offsets from..to.
type stmtStep struct {
	kind     stepKind
	from, to int
	stmt     ast.Stmt  // stepDefine
	lhs      []varName // stepDefine
	expr     ast.Expr  // stepShow
	values   int       // stepShow: expr's value count, -1 when unknown
}

// stmtPlanner plans a chunk of statements step by step: next gives the
// following step, deciding what depends on the scope only when the steps
// before it have run (a name the chunk defines is a global by then).
type stmtPlanner struct {
	scope stmtScope
	f     *ast.File
	body  []ast.Stmt
	ed    *editor
	last  *ast.ExprStmt // shown as the result, or nil

	i        int             // next statement of body
	segStart int             // where the text not yet planned begins
	defined  map[string]bool // names the chunk's statements defined so far
	pending  *ast.AssignStmt // a definition to decide once what precedes it ran
	ended    bool            // the statements are planned
	showNext bool            // the result is to be planned
	queue    []stmtStep
}

// newStmtPlanner plans f, a chunk of statements parsed as the body of
// its one function, whose text ed edits. It makes the edits that need no
// scope at once: statements that yaegi compiles only inside a function
// or a block get one. With wantResult a final expression is shown.
func newStmtPlanner(scope stmtScope, f *ast.File, ed *editor, wantResult bool) *stmtPlanner {
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	for _, st := range body {
		if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.ASSIGN && isCommaOk(as) {
			// yaegi fails on `_, ok = <-ch` at the top level, not in a
			// function, and `v, ok = m[k]` became a block defining two
			// names from one value (see commaOkAssigns, definesInBlock);
			// the globals are assigned all the same
			ed.wrap(st.Pos(), st.End(), "func() {", "}();")
			continue
		}
		if definesInBlock(st) && runsInFunc(st) {
			// see definesInBlock; the literal keeps the names local as
			// the block does
			ed.wrap(st.Pos(), st.End(), "func() {", "}();")
			continue
		}
		if _, ok := st.(*ast.TypeSwitchStmt); ok {
			// yaegi's compiler fails on a top-level `switch v := x.(type)`;
			// in a block it is fine.
			ed.insert(st.Pos(), "{")
			ed.insert(st.End(), "}")
		}
	}
	p := &stmtPlanner{scope: scope, f: f, body: body, ed: ed, defined: map[string]bool{}}
	if n := len(body); wantResult && n > 0 {
		p.last, _ = body[n-1].(*ast.ExprStmt)
		if u, ok := exprOf(p.last).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			p.last = nil // `<-done` waits; its value is not the point
		}
	}
	return p
}

// next returns the next step, or false when the chunk is done.
func (p *stmtPlanner) next() (stmtStep, bool) {
	for len(p.queue) == 0 {
		if !p.advance() {
			return stmtStep{}, false
		}
	}
	st := p.queue[0]
	p.queue = p.queue[1:]
	return st, true
}

// advance plans one statement (or the end of the chunk), queueing the
// steps it needs; false when there is nothing left to plan.
func (p *stmtPlanner) advance() bool {
	if as := p.pending; as != nil {
		p.pending = nil
		if p.scope.indexesCompiledVar(as) {
			p.define(as, assignedNames(as))
		}
		return true
	}
	if p.i < len(p.body) {
		st := p.body[p.i]
		p.i++
		p.planStmt(st)
		return true
	}
	if !p.ended {
		p.ended = true
		if p.last == nil || p.ed.offset(p.last.Pos()) < p.segStart {
			p.runUpTo(len(p.ed.text))
			return true
		}
		p.runUpTo(p.ed.offset(p.last.Pos()))
		// How many values? Asked once what precedes it ran. A compile
		// that fails is not free in yaegi (parts of it run with the next
		// program), so the syntax and the symbol tables tell, not a try.
		p.showNext = true
		return true
	}
	if p.showNext {
		p.showNext = false
		p.queue = append(p.queue, stmtStep{kind: stepShow,
			// up to the expression's end: a trailing comment would
			// swallow the wrapper's closing comma
			from: p.ed.offset(p.last.Pos()), to: p.ed.offset(p.last.End()),
			expr: p.last.X, values: p.scope.valueCount(p.last.X, p.f)})
		return true
	}
	return false
}

// planStmt plans a top-level statement: top-level definitions that yaegi
// cannot type as globals run on their own (see defineFromGeneric).
func (p *stmtPlanner) planStmt(st ast.Stmt) {
	if ds, ok := st.(*ast.DeclStmt); ok && p.scope.varsReadGlobals([]ast.Decl{ds.Decl}, p.defined) {
		var lhs []varName
		for _, sp := range ds.Decl.(*ast.GenDecl).Specs {
			vs := sp.(*ast.ValueSpec)
			for _, id := range vs.Names {
				p.defined[id.Name] = true
				typ := ""
				if vs.Type != nil {
					typ = p.ed.src(vs.Type.Pos(), vs.Type.End())
				}
				lhs = append(lhs, varName{id.Name, typ})
			}
		}
		p.define(ds, lhs)
		return
	}
	as, ok := st.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE {
		return
	}
	route := p.scope.callsGeneric(as) || isCommaOk(as)
	split := !route && indexesNames(as, p.defined)
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok {
			p.defined[id.Name] = true
		}
	}
	switch {
	case split:
		// the types of names the chunk defined are known once their
		// statements ran (see indexesCompiled): decide then
		p.runUpTo(p.ed.offset(as.Pos()))
		p.pending = as
	case route || p.scope.indexesCompiledVar(as):
		p.define(as, assignedNames(as))
	}
}

// define queues what precedes st, then st run on its own.
func (p *stmtPlanner) define(st ast.Stmt, lhs []varName) {
	from, to := p.ed.offset(st.Pos()), p.ed.offset(st.End())
	p.runUpTo(from)
	p.queue = append(p.queue, stmtStep{kind: stepDefine, from: from, to: to, stmt: st, lhs: lhs})
	p.segStart = to
}

// runUpTo queues the text not yet planned up to off, unless it is blank.
func (p *stmtPlanner) runUpTo(off int) {
	if off > p.segStart && strings.TrimSpace(p.ed.applyRange(p.segStart, off)) != "" {
		p.queue = append(p.queue, stmtStep{kind: stepRun, from: p.segStart, to: off})
	}
	p.segStart = max(p.segStart, off)
}

// assignedNames are the names on the left of a :=.
func assignedNames(as *ast.AssignStmt) []varName {
	var lhs []varName
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok {
			lhs = append(lhs, varName{name: id.Name})
		}
	}
	return lhs
}
