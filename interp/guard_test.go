package interp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The three mistakes of issue 15 and the runtime panics: each is a cell
// error with Go's wording at the faulting expression, and the next cell
// still sees the session's variables.
func TestCellFaultsKeepTheSession(t *testing.T) {
	s, err := New(Options{MemoryLimit: 4 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mustRun(t, s, "import \"errors\"\nkept := 42")
	for _, c := range []struct {
		code      string
		name, msg string
		line, col int
	}{
		{"func rec(n int) int { return rec(n+1) + 1 }\nrec(0)", "StackDepthError", "stack depth limit reached", 1, 1},
		{"func ping(n int) int { return pong(n) }\nfunc pong(n int) int { return ping(n) }\nping(1)", "StackDepthError", "stack depth limit reached", 0, 0},
		{"func deep(n int) int { return deep(n+1) }\nfin := make(chan int)\ngo func() { fin <- deep(0) }()\n<-fin", "StackDepthError", "stack depth limit reached", 1, 1},
		{"b := make([]byte, 40<<30)", "MemoryError", "cannot allocate 40.0 GiB", 1, 19},
		{"c := make([]float64, 1<<30, 5<<30)", "MemoryError", "cannot allocate 40.0 GiB", 1, 22},
		{"var p *struct{X int}\np.X", "panic", "invalid memory address or nil pointer dereference", 2, 1},
		{"var q *struct{X int}\nkept = 43\ny := q.X\n_ = y", "panic", "invalid memory address or nil pointer dereference", 3, 6},
		{"var boom any = \"boom\"\npanic(boom)", "panic", "boom", 2, 1},
		{"var failure error = errors.New(\"failed\")\npanic(failure)", "panic", "failed", 2, 1},
		{"var f func()\nf()", "panic", "invalid memory address or nil pointer dereference", 2, 1},
		{"var m map[string]int\nm[\"a\"] = 1", "panic", "assignment to entry in nil map", 2, 1},
		{"a, b := 1, 0\na / b", "panic", "runtime error: integer divide by zero", 2, 1},
		{"var i any = \"s\"\nn := i.(int)\n_ = n", "panic", "interface conversion: interface {} is string, not int", 2, 6},
		{"func g(p *int) int {\n\tx := 1\n\treturn *p + x\n}\ng(nil)", "panic", "invalid memory address or nil pointer dereference", 3, 9},
		{"xs := []int{1}\nk := 5\nxs[k]", "panic", "runtime error: index out of range", 3, 1},
	} {
		_, err := s.Execute(context.Background(), c.code, &fakeOutput{})
		var ce *CellError
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %v, want a %s", c.code, err, c.name)
			continue
		}
		if ce.Name != c.name || !strings.Contains(ce.Msg, c.msg) || (c.line > 0 && (ce.Line != c.line || ce.Col != c.col)) {
			t.Errorf("%q:\n got %s at %d:%d: %s\nwant %s at %d:%d: %s", c.code, ce.Name, ce.Line, ce.Col, ce.Msg, c.name, c.line, c.col, c.msg)
		}
		if c.code == "func g(p *int) int {\n\tx := 1\n\treturn *p + x\n}\ng(nil)" &&
			(len(ce.Frames) != 1 || ce.Frames[0] != "called from the cell at line 5, column 1") {
			t.Errorf("frames of g(nil): %q", ce.Frames)
		}
		if strings.Contains(ce.Msg, "reflect") {
			t.Errorf("%q: interpreter-internal wording %q", c.code, ce.Msg)
		}
		b, err := s.Execute(context.Background(), "kept", &fakeOutput{})
		if err != nil || b == nil || (b.Data["text/plain"] != "42" && b.Data["text/plain"] != "43") {
			t.Fatalf("after %q the session lost its variable: %v %v", c.code, b, err)
		}
	}
}

// The depth error lists the deepest calls, at their declarations.
func TestStackDepthErrorShowsTheCalls(t *testing.T) {
	s, err := New(Options{MaxCallDepth: 3000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, err = s.Execute(context.Background(), "x := 1\n\nfunc down(n int) int {\n\treturn down(n+1)\n}\ndown(0)", &fakeOutput{})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "StackDepthError" || !strings.Contains(ce.Msg, "more than 3000 nested calls") {
		t.Fatalf("got %v", err)
	}
	if ce.Line != 3 || len(ce.Frames) < 3 || !strings.Contains(ce.Frames[0], "down at line 3") {
		t.Errorf("position %d, frames %q", ce.Line, ce.Frames)
	}
	// a recursion under the limit still works, and counting restarts
	out := mustRun(t, s, "import \"fmt\"\nfunc sum(n int) int { if n == 0 { return 0 }; return n + sum(n-1) }\nfmt.Println(sum(2500), x)")
	if got := out.b.String(); got != "3126250 1\n" {
		t.Errorf("sum = %q", got)
	}
}

func TestParseMemoryLimit(t *testing.T) {
	const machine = 16 << 30
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"", machine / 4 * 3}, {"off", 0}, {"50%", 8 << 30}, {"8GiB", 8 << 30}, {"512M", 512 << 20},
		{"2GB", 2e9}, {"1073741824", 1 << 30},
	} {
		got, err := parseMemoryLimit(c.in, machine)
		if err != nil || got != c.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"lots", "150%", "-3G"} {
		if _, err := parseMemoryLimit(bad, machine); err == nil {
			t.Errorf("parseMemoryLimit(%q) accepted", bad)
		}
	}
}

// An interrupted ! command takes its pipeline and background jobs with it:
// nothing keeps running, and the cell ends.
func TestShellInterruptKillsTheProcessGroup(t *testing.T) {
	s := newTestSession(t)
	marker := t.TempDir() + "/alive"
	// a duration of this process's own, so that another test run's
	// sleeps on the machine are not taken for ours
	sleep := fmt.Sprintf("sleep %d", 100000+os.Getpid()%900000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, "!("+sleep+"; touch "+marker+") & "+sleep+" | cat", &fakeOutput{})
		done <- err
	}()
	for !strings.Contains(psGrep(t, sleep), sleep) {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the interrupted command succeeded")
	}
	for i := 0; strings.Contains(psGrep(t, sleep), sleep); i++ {
		if i > 200 {
			t.Fatalf("children outlived the interrupt:\n%s", psGrep(t, sleep))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func psGrep(t *testing.T, command string) string {
	out, err := exec.Command("ps", "-o", "pid,pgid,args", "--ppid", "1", "-e").Output()
	if err != nil {
		t.Skip("no ps:", err)
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, command) && !strings.Contains(l, "ps -o") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// After a cell is stopped for filling a variable past the limit, the
// memory stays the user's (as after Python's MemoryError), and cells that
// add little still run; one that keeps allocating is stopped again.
func TestMemoryHeldByEarlierCellDoesNotStopTheNext(t *testing.T) {
	s, err := New(Options{MemoryLimit: 512 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mustRun(t, s, "import (\"strings\"; \"time\")")
	fill := "for {\n\t%s = append(%[1]s, strings.Repeat(\"x\", 16<<20))\n}"
	for i, v := range []string{"hoard", "more", "evenmore"} {
		if i == 2 {
			// two variables now hold more than the limit
			mustRun(t, s, "time.Sleep(300*time.Millisecond)")
		}
		_, err := s.Execute(context.Background(), "var "+v+" []string\n"+fmt.Sprintf(fill, v), &fakeOutput{})
		var ce *CellError
		if !errors.As(err, &ce) || ce.Name != "MemoryError" {
			t.Fatalf("filling %s: %v, want a MemoryError", v, err)
		}
	}
	mustRun(t, s, "hoard = nil\nmore = nil\nevenmore = nil")
}
