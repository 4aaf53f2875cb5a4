package interp

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

func globalFrameLen(s *Session) int {
	return field(field(reflect.ValueOf(s.ip).Elem(), "frame").Elem(), "data").Len()
}

// Cells that compute without defining names or leaving code give their
// temporaries' slots back: the global frame stops growing, and every value
// stays where Go keeps it.
func TestSlotsOfFinishedCellsAreNumberedAgain(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"fmt\"\nw := make([]float64, 100)\ntotal := 0.0\np := &struct{ N int }{7}")
	run := func(i int) {
		mustRun(t, s, fmt.Sprintf("w[%d] = float64(%d) * 2\ntotal += w[%d] + float64(len(fmt.Sprint(w[0])))\np.N += len(fmt.Sprintf(\"%%d\", %d))\nfmt.Sprint(total)", i%100, i, i%100, i))
	}
	for i := range 20 {
		run(i)
	}
	before := globalFrameLen(s)
	for i := 20; i < 220; i++ {
		run(i)
	}
	if grew := globalFrameLen(s) - before; grew > 10 {
		t.Errorf("the global frame grew by %d slots over 200 cells that define nothing", grew)
	}
	if got := mustRun(t, s, "fmt.Println(w[99], w[19], total > 0, p.N)").String(); got != "398 438 true 557\n" {
		t.Errorf("values after 220 cells: %q", got)
	}
}

// A cell that converts a cell type's value to a compiled interface, or makes
// a method value or a function literal, keeps its slots: compiled code calls
// back into them cells later (sort.Sort, fmt's Stringer, a callback), and the
// cells in between, which reuse slots, must not change what it reads.
func TestSlotsReadByWrappersAreKept(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import (\"errors\"; \"fmt\"; \"sort\"; \"strings\")")
	mustRun(t, s, "type byLen []string\n\nfunc (b byLen) Len() int { return len(b) }\nfunc (b byLen) Less(i, j int) bool { return len(b[i]) < len(b[j]) }\nfunc (b byLen) Swap(i, j int) { b[i], b[j] = b[j], b[i] }")
	mustRun(t, s, "type point struct{ X, Y int }\n\nfunc (p point) String() string { return fmt.Sprintf(\"(%d,%d)\", p.X, p.Y) }")
	steps := []struct{ code, want string }{
		// the wrappers: no func token in these cells
		{"words := []string{\"ccc\", \"a\", \"bb\"}\nboxes := []sort.Interface{byLen(words)}", ""},
		{"items := []fmt.Stringer{point{1, 2}, &point{3, 4}}", ""},
		{"str := point{5, 6}.String\nupper := strings.ToUpper", ""},
		// cells in between whose temporaries take slots again, of other types
		{"e := errors.New(\"x\")\nf := 1.5 * float64(len(words))\nb := strings.Repeat(\"z\", 2) + fmt.Sprint(f)", ""},
		{"fmt.Sprint(e, f, b, len(words)*3, []int{1, 2}, map[string]bool{\"k\": true})", ""},
		{"fmt.Sprint(errors.New(\"y\"), 2.5, \"s\", struct{ A, B int }{1, 2})", ""},
		// compiled code calls back
		{"sort.Sort(boxes[0])\nfmt.Println(words)", "[a bb ccc]\n"},
		{"fmt.Println(items[0], items[1], str(), upper(\"q\"))", "(1,2) (3,4) (5,6) Q\n"},
		{"fmt.Sprint(errors.New(\"y\"), 2.5, \"s\")", ""},
		{"fmt.Println(items[0], items[1], str(), e, f, b)", "(1,2) (3,4) (5,6) x 4.5 zz4.5\n"},
	}
	for _, st := range steps {
		out := mustRun(t, s, st.code)
		if got := out.String(); st.want != "" && got != st.want {
			t.Errorf("%s:\ngot  %q\nwant %q", st.code, got, st.want)
		}
	}
}

// Which cells leave code that reads their slots later.
func TestLeavesReaders(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import (\"fmt\"; \"sort\")\ntype byLen []string\nfunc (b byLen) Len() int { return len(b) }\nfunc (b byLen) Less(i, j int) bool { return len(b[i]) < len(b[j]) }\nfunc (b byLen) Swap(i, j int) { b[i], b[j] = b[j], b[i] }\ntype plain struct{ A int }\nws := []string{\"x\"}")
	for _, c := range []struct {
		code   string
		leaves bool
	}{
		{"x := 1 + 2\nfmt.Sprint(x)", false},
		{"fmt.Println(\"cell\", len(ws), plain{3})", false},
		{"q := &plain{A: 1}\nq.A++", false},
		{"var si sort.Interface = byLen(ws)", true},
		{"lenOf := byLen(ws).Len", true},
		{"g := fmt.Sprint", true},
	} {
		roots := compileRoots(t, s, c.code)
		if got := leavesReaders(roots); got != c.leaves {
			t.Errorf("%q: leavesReaders = %v, want %v", c.code, got, c.leaves)
		}
	}
}

// compileRoots compiles code in the session's interpreter and returns the
// syntax trees yaegi made for it.
func compileRoots(t *testing.T, s *Session, code string) []unsafe.Pointer {
	t.Helper()
	releaseRoots(s.ip)
	if _, err := s.ip.Compile(code); err != nil {
		t.Fatalf("%q: %v", code, err)
	}
	defer releaseRoots(s.ip)
	return compiledRoots(s.ip)
}
