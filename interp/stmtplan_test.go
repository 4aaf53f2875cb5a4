package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// fakeScope answers the planner from a few name sets, without yaegi.
type fakeScope struct {
	generic  map[string]bool // functions whose calls are generic
	compiled map[string]bool // names whose values are compiled, so that indexing them trips yaegi
	globals  map[string]bool // variables of earlier cells
	results  map[string]int  // result counts of functions; unlisted calls are unknown (-1)
}

func (f *fakeScope) callsGeneric(as *ast.AssignStmt) bool {
	found := false
	for _, r := range as.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && f.generic[id.Name] {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

func (f *fakeScope) indexesCompiledVar(as *ast.AssignStmt) bool {
	found := false
	for _, r := range as.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			if ix, ok := n.(*ast.IndexExpr); ok && f.compiled[rootName(ix.X)] {
				found = true
			}
			return !found
		})
	}
	return found
}

func (f *fakeScope) varsReadGlobals(decls []ast.Decl, defined map[string]bool) bool {
	found := false
	for _, d := range decls {
		ast.Inspect(d, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (f.globals[id.Name] || defined[id.Name]) {
				found = true
			}
			return !found
		})
	}
	return found
}

func (f *fakeScope) valueCount(e ast.Expr, _ *ast.File) int {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return 1
	}
	if id, ok := call.Fun.(*ast.Ident); ok {
		if n, ok := f.results[id.Name]; ok {
			return n
		}
	}
	return -1
}

// plan runs the planner over code as evalStmts would and describes each
// step: "run: TEXT", "define NAMES: TEXT" or "show N: TEXT", with TEXT
// as edited. afterStep, if set, is called after each step, as the
// runner would run it.
func plan(t *testing.T, scope *fakeScope, code string, wantResult bool, afterStep func(stmtStep)) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", stmtPrefix+code+"\n}", parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	ed := newEditor(code, len(stmtPrefix), fset)
	p := newStmtPlanner(scope, f, ed, wantResult)
	var steps []string
	for st, ok := p.next(); ok; st, ok = p.next() {
		text := strings.TrimSpace(ed.applyRange(st.from, st.to))
		switch st.kind {
		case stepRun:
			steps = append(steps, "run: "+text)
		case stepDefine:
			var names []string
			for _, l := range st.lhs {
				names = append(names, strings.TrimSpace(l.name+" "+l.typ))
			}
			steps = append(steps, fmt.Sprintf("define %s: %s", strings.Join(names, ","), text))
		case stepShow:
			steps = append(steps, fmt.Sprintf("show %d: %s", st.values, text))
		}
		if afterStep != nil {
			afterStep(st)
		}
	}
	return steps
}

func TestStmtPlan(t *testing.T) {
	for _, c := range []struct {
		name       string
		scope      fakeScope
		code       string
		wantResult bool
		want       []string
	}{
		{name: "the last expression is shown",
			code: "x := 1\nx + 1", wantResult: true,
			want: []string{"run: x := 1", "show 1: x + 1"}},
		{name: "a hidden result runs in one piece",
			code: "x := 1\nx + 1",
			want: []string{"run: x := 1\nx + 1"}},
		{name: "a receive waits and is not shown",
			code: "<-done", wantResult: true,
			want: []string{"run: <-done"}},
		{name: "a call's value count comes from the scope",
			scope: fakeScope{results: map[string]int{"pair": 2, "act": 0}},
			code:  "pair()", wantResult: true,
			want: []string{"show 2: pair()"}},
		{name: "a statement-only call",
			scope: fakeScope{results: map[string]int{"act": 0}},
			code:  "act()", wantResult: true,
			want: []string{"show 0: act()"}},
		{name: "a trailing comment is not part of the shown expression",
			code: "x // the answer", wantResult: true,
			want: []string{"show 1: x"}},
		{name: "a definition from a generic call runs on its own",
			scope: fakeScope{generic: map[string]bool{"Map": true}},
			code:  "a := 1\nb := Map(xs)\nc := b",
			want:  []string{"run: a := 1", "define b: b := Map(xs)", "run: c := b"}},
		{name: "a comma-ok definition runs on its own",
			code: "v, ok := m[k]",
			want: []string{"define v,ok: v, ok := m[k]"}},
		{name: "a comma-ok assignment runs in a function literal",
			code: "_, ok = <-ch",
			want: []string{"run: func() {_, ok = <-ch}();"}},
		{name: "a type switch runs in a block",
			code: "switch x.(type) {\ncase int:\n}",
			want: []string{"run: {switch x.(type) {\ncase int:\n}}"}},
		{name: "a type switch that binds a name runs in a function literal",
			code: "switch v := x.(type) {\ncase int:\n\t_ = v\n}",
			want: []string{"run: func() {switch v := x.(type) {\ncase int:\n\t_ = v\n}}();"}},
		{name: "a var that reads a global runs on its own, with its written type",
			scope: fakeScope{globals: map[string]bool{"n": true}},
			code:  "var w int = n\nw",
			want:  []string{"define w int: var w int = n", "run: w"}},
		{name: "indexing a compiled variable",
			scope: fakeScope{compiled: map[string]bool{"os": true}},
			code:  "first := os.Args[0]\nfirst", wantResult: true,
			want: []string{"define first: first := os.Args[0]", "show 1: first"}},
		{name: "indexing a name the chunk defined splits the chunk",
			code: "t := New()\nd := t.Shape()[1]\nd", wantResult: true,
			want: []string{"run: t := New()", "run: d := t.Shape()[1]", "show 1: d"}},
		{name: "an empty chunk",
			code: "", wantResult: true,
			want: nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := plan(t, &c.scope, c.code, c.wantResult, nil); !slices.Equal(got, c.want) {
				t.Errorf("plan of %q:\n got  %q\n want %q", c.code, got, c.want)
			}
		})
	}
}

// What a definition indexes is asked about once the definitions before
// it ran: then the scope knows t's type.
func TestStmtPlanAsksOnceEarlierStepsRan(t *testing.T) {
	scope := &fakeScope{compiled: map[string]bool{}}
	got := plan(t, scope, "t := New()\nd := t.Shape()[1]\nd", true, func(st stmtStep) {
		if st.kind == stepRun {
			scope.compiled["t"] = true // t is now a global of a compiled type
		}
	})
	want := []string{"run: t := New()", "define d: d := t.Shape()[1]", "show 1: d"}
	if !slices.Equal(got, want) {
		t.Errorf("plan:\n got  %q\n want %q", got, want)
	}
}
