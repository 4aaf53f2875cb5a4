package interp

import (
	"fmt"
	"go/token"
	"runtime"
	"strings"
	"testing"
)

// What releaseCompiled frees after a cell must not be anything a later cell,
// a closure or a goroutine still reads.
func TestReleaseCompiledKeepsWhatLivesOn(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import (\"fmt\"; \"strings\")")
	steps := []struct{ code, want string }{
		// closures over top-level loop variables, called cells later
		{"fns := []func() int{}\nfor i := 0; i < 3; i++ {\n\tj := i * 10\n\tfns = append(fns, func() int { return j + 1 })\n}", ""},
		// a goroutine that outlives its cell, reading a block variable
		{"ready, result := make(chan bool), make(chan string)\n{\n\tword := strings.Repeat(\"ab\", 2)\n\tgo func() { <-ready; result <- word + \"!\" }()\n}", ""},
		// a function literal stored in a variable: each call writes back
		// to the slot it was made in, which must stay its own
		{"g := func() int { return 5 }", ""},
		{"k := 42\nk2 := \"k2\"", ""},
		{"fmt.Println(g()+g(), k, k2)", "10 42 k2\n"},
		{"fmt.Println(k, k2)", "42 k2\n"},
		// a global that functions read, then redefined with the same type
		{"x := 1", ""},
		{"func getX() int { return x }", ""},
		{"x := 2", ""},
		// temporaries of every kind in between
		{"a := 1.5 * 2\nb := \"s\" + fmt.Sprint(3)\nc := []int{1, 2}\nm := map[string]int{\"k\": len(c)}", ""},
		{"fmt.Println(a, b, c, m[\"k\"])", "3 s3 [1 2] 2\n"},
		{"p := &struct{ N int }{7}\nq := p\nq.N++", ""},
		{"fmt.Println(p.N, fns[0]()+fns[1]()+fns[2](), getX(), x)", "8 33 2 2\n"},
		{"ready <- true\nfmt.Println(<-result)", "abab!\n"},
		// calling the closures again (each call writes back to the slot
		// it was made in) leaves the later cells' variables alone
		{"n1, n2 := fns[0](), fns[1]()\nfmt.Println(n1+n2, a, b, c, m[\"k\"], p.N)", "12 3 s3 [1 2] 2 8\n"},
		{"fmt.Println(fns[2](), a, b, c, m[\"k\"], p.N)", "21 3 s3 [1 2] 2 8\n"},
	}
	for _, st := range steps {
		out := mustRun(t, s, st.code)
		if got := out.String(); st.want != "" && got != st.want {
			t.Errorf("%s:\ngot  %q\nwant %q", st.code, got, st.want)
		}
	}
	// a panicking cell and a compile error in between change nothing
	for _, bad := range []string{"var np *struct{ X int }\nnp.X", "undefinedThing + 1", "panic(\"boom\")"} {
		s.Execute(t.Context(), bad, &fakeOutput{})
	}
	if got := mustRun(t, s, "fmt.Println(p.N, fns[2](), getX(), a, b)").String(); got != "8 21 2 3 s3\n" {
		t.Errorf("after failing cells: %q", got)
	}
}

// Cells whose temporaries are cleared after them keep their values where
// Go keeps them: variables, redefinitions and what functions compiled
// before read. (The slots themselves stay: see releaseCompiled.)
func TestReleaseCompiledKeepsValuesAcrossCells(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"fmt\"\nw := make([]float64, 100)\ntotal := 0.0")
	for i := range 220 {
		mustRun(t, s, fmt.Sprintf("w[%d] = float64(%d) * 2\ntotal += w[%d] + float64(len(fmt.Sprint(w[0])))\nfmt.Sprint(total)", i%100, i, i%100))
	}
	mustRun(t, s, "v := 1")
	mustRun(t, s, "v := 2")
	out := mustRun(t, s, "fmt.Println(w[99], w[19], total > 0, v)").String()
	if !strings.HasPrefix(out, "398 438 true 2") {
		t.Errorf("values after 220 cells: %q", out)
	}
}

// A cell's position table goes once none of its code can run again (its
// functions redefined, its literals and goroutines gone) and stays while
// some can: a panic in a function still defined, in an old version that a
// or in a literal a variable holds, names its line.
func TestReleaseCompiledDropsDeadPositionTables(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"fmt\"")
	files := func() int {
		// what a cell after a collection leaves
		runtime.GC()
		mustRun(t, s, "fmt.Sprint(0)")
		n := 0
		s.ip.FileSet().Iterate(func(*token.File) bool { n++; return true })
		return n
	}
	mustRun(t, s, "func bad() int {\n\tvar p *struct{ X int }\n\treturn p.X\n}")
	mustRun(t, s, "lit := func() int {\n\tvar p *struct{ X int }\n\treturn p.X\n}")
	cell := func(i int) string {
		switch i % 3 {
		case 0:
			return fmt.Sprintf("func f%d(x int) int { return x + %d }", i%10, i)
		case 1:
			return fmt.Sprintf("ch%d := make(chan int)\ngo func() { ch%d <- %d }()\n<-ch%d", i%10, i%10, i, i%10)
		}
		return fmt.Sprintf("fmt.Sprint(%d)", i)
	}
	for i := range 60 {
		mustRun(t, s, cell(i))
	}
	before := files()
	for i := 60; i < 360; i++ {
		mustRun(t, s, cell(i))
	}
	after := files()
	t.Logf("position tables: %d after 60 cells, %d after 360", before, after)
	if after > before+5 {
		t.Errorf("position tables grew from %d to %d over 300 cells that redefine the same names", before, after)
	}
	for _, c := range []string{"bad()", "lit()"} {
		var out fakeOutput
		_, err := s.Execute(t.Context(), c, &out)
		if err == nil || !strings.Contains(err.Error(), "at its line 2") {
			t.Errorf("%s: the panic should name the function's line 2: %v", c, err)
		}
	}
}

// A global redefined by later cells (with the same type) is one variable to
// functions compiled before and after, cells and goroutines: the old slots
// share the new slot's value.
func TestReleaseCompiledRedefinitionsShareTheirValue(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"fmt\"\nx := 1\nvar y string")
	mustRun(t, s, "func getX() int { return x }")
	for i := range 200 {
		mustRun(t, s, fmt.Sprintf("x := %d\nvar y string = \"y%d\"", i, i))
	}
	steps := []struct{ code, want string }{
		{"fmt.Println(getX(), x, y)", "199 199 y199\n"},
		{"x = 7", ""},
		{"func getX2() int { return x * 2 }", ""},
		{"fmt.Println(getX(), getX2(), x)", "7 14 7\n"},
		{"x := 8\ndone := make(chan int)\ngo func() { done <- x }()\n<-done", ""},
		{"fmt.Println(getX(), getX2(), x)", "8 16 8\n"},
		{"x := 9", ""},
		{"x++\nfmt.Println(getX(), getX2(), x)", "10 20 10\n"},
		{"p := &x\nx := 11\n*p = 12", ""},
		{"fmt.Println(getX(), x, *p)", "11 11 12\n"},
		{"x := \"now a string\"", ""},
		{"fmt.Println(x, getX())", "now a string 11\n"},
	}
	for _, st := range steps {
		out := mustRun(t, s, st.code)
		if got := out.String(); st.want != "" && got != st.want {
			t.Errorf("%s:\ngot  %q\nwant %q", st.code, got, st.want)
		}
	}
}
