package interp

import (
	"go/parser"
	"go/token"
	"testing"
)

// FuzzRewrite: any cell splits into chunks, and every chunk that parses is
// rewritten and positioned without a panic or a hang; chunks cover the
// cell in order.
func FuzzRewrite(f *testing.F) {
	for _, seed := range []string{
		"x := 1\nfmt.Println(x)",
		"func rec(n int) int { return rec(n+1) + 1 }\nrec(0)",
		"for i := range 10 { go func() { println(i) }() }",
		"b := make([]byte, 40<<30)\nm := make(map[string]int, 10)\nc := make(chan int)",
		"type T struct{ X int }\nfunc (t *T) Get() int { return t.X }\nvar p *T\np.Get()",
		"var m map[string]int\nm[\"a\"]++\nx := 1 / 0",
		"func G[T any](xs []T) []T { return make([]T, len(xs)) }",
		"defer fmt.Println(1)\nswitch v := x.(type) {}",
		"%time x := 1",
		"`unterminated",
	} {
		f.Add(seed)
	}
	s := &Session{imports: map[string]string{"fmt": "fmt"}, decls: newDeclRegistry(), rt: &runtimeState{}}
	f.Fuzz(func(t *testing.T, cell string) {
		if len(cell) > 4096 {
			return
		}
		end := 0
		for _, ch := range splitCell(cell) {
			if ch.start < end || ch.start+len(ch.text) > len(cell) {
				t.Fatalf("chunk at %d overlaps or leaves the cell", ch.start)
			}
			end = ch.start + len(ch.text)
			prefix, src := declPrefix, declPrefix+ch.text
			if ch.kind == stmtChunk {
				prefix, src = stmtPrefix, stmtPrefix+ch.text+"\n}"
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, "cell", src, parser.ParseComments)
			if err != nil {
				continue
			}
			ed := newEditor(ch.text, len(prefix), fset)
			s.rewriteFuncs(file, ed, chunkPos(cell, ch))
			_ = ed.apply()
			for _, msg := range []string{nilDeref, "runtime error: integer divide by zero", "assignment to entry in nil map"} {
				ce := &CellError{Name: "panic", Msg: msg}
				line, col := lineCol(cell, ch.start)
				ce.at(cell, line, col)
				placePanic(cell, ch, ce)
				if ce.Line < 1 {
					t.Fatalf("placed at line %d", ce.Line)
				}
			}
		}
	})
}
