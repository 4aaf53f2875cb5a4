package interp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gossl/gossl/sslkit/ambient"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustRun(t *testing.T, s *Session, code string) *fakeOutput {
	t.Helper()
	out := &fakeOutput{}
	if _, err := s.Execute(context.Background(), code, out); err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	return out
}

func TestIsComplete(t *testing.T) {
	s := newTestSession(t)
	for _, c := range []struct{ code, status, indent string }{
		{"x := 1", "complete", ""},
		{"func f() {", "incomplete", "\t"},
		{"for i := range 3 {\n\tif i > 1 {", "incomplete", "\t\t"},
		{"fmt.Println(1,", "incomplete", "\t"},
		{"s := `raw", "incomplete", ""},
		{"x := 1 +", "incomplete", ""},
		{"x := }", "invalid", ""},
		{"s := \"open", "invalid", ""},
		{"x := := 2", "invalid", ""},
		{"%who", "complete", ""},
		{"", "complete", ""},
	} {
		status, indent := s.IsComplete(c.code)
		if status != c.status || indent != c.indent {
			t.Errorf("IsComplete(%q) = %q, %q; want %q, %q", c.code, status, indent, c.status, c.indent)
		}
	}
}

func TestComplete(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"strings\"\ntype point struct{ X, Y int }\nfunc (p point) Norm() int { return p.X*p.X + p.Y*p.Y }\nvar origin = point{1, 2}\ncounter := 3")
	for _, c := range []struct {
		code string
		want string // a match that must be there
		from int    // expected start
	}{
		{"strings.ToUp", "ToUpper", 8},
		{"x := strings.", "Lines", 13},
		{"cou", "counter", 0},
		{"fmt.Println(orig", "origin", 12},
		{"origin.", "X", 7},
		{"origin.No", "Norm", 7},
		{"ret", "return", 0},
		{"slices.Sor", "Sort", 7},
	} {
		m, start, end := s.Complete(c.code, len(c.code))
		if !slices.Contains(m, c.want) || start != c.from || end != len(c.code) {
			t.Errorf("Complete(%q) = %v, %d, %d; want %q at %d", c.code, m, start, end, c.want, c.from)
		}
	}
	if m, _, _ := s.Complete("zzzq", 4); len(m) != 0 {
		t.Errorf("Complete of an unknown prefix = %v", m)
	}
}

func TestInspect(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"strings\"\nfunc half(x float64) float64 { return x / 2 }\nratio := 0.25")
	for _, c := range []struct{ code, want string }{
		{"strings.ToUpper", "func ToUpper(s string) string"},
		{"strings.ToUpper", "ToUpper returns s with all Unicode letters mapped to their upper case"},
		{"ratio", "ratio float64 = 0.25"},
		{"half", "func half(x float64) float64"},
		{"strings", "package strings"},
	} {
		b, err := s.Inspect(c.code, len(c.code), 0)
		if err != nil || b == nil {
			t.Errorf("Inspect(%q) = %v, %v", c.code, b, err)
			continue
		}
		if text, _ := b.Data["text/plain"].(string); !strings.Contains(text, c.want) {
			t.Errorf("Inspect(%q) = %q; want it to contain %q", c.code, text, c.want)
		}
	}
	if b, err := s.Inspect("nosuchname", 3, 0); b != nil || err != nil {
		t.Errorf("Inspect of an unknown name = %v, %v", b, err)
	}
}

// An interrupt stops an interpreted loop and the session stays usable.
func TestInterrupt(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "kept := 41")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	_, err := s.Execute(ctx, "for {\n}", &fakeOutput{})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "Interrupted" {
		t.Fatalf("interrupted loop: %v", err)
	}
	b, err := s.Execute(context.Background(), "kept + 1", &fakeOutput{})
	if err != nil || b == nil || b.Data["text/plain"] != "42" {
		t.Fatalf("after interrupt: %v, %v", b, err)
	}
}

// A long print arrives complete and in order before Execute returns.
func TestLargeOutput(t *testing.T) {
	s := newTestSession(t)
	out := mustRun(t, s, "import \"fmt\"\nfor i := 0; i < 10000; i++ {\n\tfmt.Println(\"line\", i)\n}")
	var want strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintln(&want, "line", i)
	}
	if got := out.String(); got != want.String() {
		t.Fatalf("got %d bytes, want %d; tail %q", len(got), want.Len(), got[max(0, len(got)-40):])
	}
}

// Output written while the cell runs reaches it before the cell ends.
func TestStreamsWhileRunning(t *testing.T) {
	s := newTestSession(t)
	out := &fakeOutput{}
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(context.Background(), "import (\"fmt\"; \"time\")\nfmt.Println(\"early\")\ntime.Sleep(3 * time.Second)", out)
		done <- err
	}()
	for deadline := time.Now().Add(2500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(out.String(), "early") {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	<-done
	t.Fatal("output did not arrive while the cell ran")
}

// Complete runs while a cell runs.
func TestCompleteDuringExecute(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "alpha := 1")
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(context.Background(), "import \"time\"\ntime.Sleep(300 * time.Millisecond)", &fakeOutput{})
		done <- err
	}()
	m, _, _ := s.Complete("alp", 3)
	if !slices.Contains(m, "alpha") {
		t.Errorf("Complete during a cell = %v", m)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestTraceback(t *testing.T) {
	s := newTestSession(t)
	_, err := s.Execute(context.Background(), "x := 1\ny := x +* 2", &fakeOutput{})
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	tb := strings.Join(ce.Traceback(), "\n")
	if !strings.Contains(tb, "y := x +* 2") || !strings.Contains(tb, "line 2") || strings.Contains(tb, "yaegi") {
		t.Errorf("traceback:\n%s", tb)
	}
}

// Every gossl package of the symbol tables imports in a cell, and its
// members complete and have docs.
func TestGosslPackages(t *testing.T) {
	s := newTestSession(t)
	for _, path := range []string{"github.com/gossl/gossl/display", "github.com/gossl/gossl/sslkit/nn",
		"github.com/gossl/gossl/sslkit/loss", "github.com/gossl/gossl/sslkit/backbone",
		"github.com/gossl/gossl/sslkit/head", "github.com/gossl/gossl/sslkit/mvh",
		"github.com/gossl/gossl/sslkit/nn/ops", "github.com/gossl/gossl/sslkit/ambient"} {
		name := path[strings.LastIndex(path, "/")+1:]
		mustRun(t, s, fmt.Sprintf("import %q", path))
		m, _, _ := s.Complete(name+".", len(name)+1)
		if len(m) == 0 {
			t.Errorf("no completions for %s", path)
			continue
		}
		code := name + "." + m[0]
		if b, err := s.Inspect(code, len(code), 0); err != nil || b == nil {
			t.Errorf("no docs for %s: %v %v", code, b, err)
		}
	}
}

// Compiled code sees the running cell's context through sslkit/ambient, and an
// interrupt cancels it.
func TestCellContext(t *testing.T) {
	s := newTestSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan context.Context, 1)
	out := &fakeOutput{inputs: []string{"go"}}
	done := make(chan error, 1)
	go func() {
		// Input hands the test the cell's context while the cell waits.
		_, err := s.Execute(ctx, "import (\"fmt\"; \"github.com/gossl/gossl/sslkit/ambient\")\nvar line string\nfmt.Scanln(&line)\n<-ambient.Context().Done()", &ctxProbe{fakeOutput: out, got: started})
		done <- err
	}()
	cellCtx := <-started
	if cellCtx.Err() != nil {
		t.Fatal("cell context cancelled before the interrupt")
	}
	cancel()
	err := <-done
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "Interrupted" {
		t.Fatalf("err = %v", err)
	}
	if cellCtx.Err() == nil {
		t.Fatal("the interrupt did not cancel the cell's context")
	}
}

type ctxProbe struct {
	*fakeOutput
	got chan context.Context
}

func (p *ctxProbe) Input(prompt string, password bool) (string, error) {
	p.got <- ambient.Context()
	return p.fakeOutput.Input(prompt, password)
}

// A top-level loop caught inside a compiled call by the interrupt does
// not carry on beside the next cell (yaegi resets its global frame's run
// id; see stalerun.go).
func TestInterruptedLoopStaysStopped(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import (\"fmt\"; \"time\")")
	for _, loop := range []string{
		"for {\n\ttime.Sleep(100*time.Millisecond)\n\tfmt.Println(\"tick\")\n}",
		"for i := range 1000000 {\n\ttime.Sleep(100*time.Millisecond)\n\tfmt.Println(\"tick\", i)\n}",
		"for _, c := range \"abcdefghijklmnopqrstuvwxyz\" {\n\ttime.Sleep(100*time.Millisecond)\n\tfmt.Println(\"tick\", c)\n}",
		"if true {\n\tfor {\n\t\ttime.Sleep(100*time.Millisecond)\n\t\tfmt.Println(\"tick\")\n\t}\n}",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		_, err := s.Execute(ctx, loop, &fakeOutput{})
		var ce *CellError
		if !errors.As(err, &ce) || ce.Name != "Interrupted" {
			t.Fatalf("%q: %v", loop, err)
		}
		if out := mustRun(t, s, "time.Sleep(500*time.Millisecond)").String(); strings.Contains(out, "tick") {
			t.Errorf("after interrupting %q, the next cell printed %q", loop, out)
		}
	}
}
