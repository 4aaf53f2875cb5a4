package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gossl/gossl/display"
)

// scriptEval is a fake Go session: each cell's code names a scripted
// behaviour, so the runner's bookkeeping is tested without an
// interpreter.
type scriptEval struct {
	ran   []string
	cells map[string]func(ctx context.Context, out Frontend) (*display.Bundle, error)
}

func (e *scriptEval) Execute(ctx context.Context, code string, out Frontend) (*display.Bundle, error) {
	e.ran = append(e.ran, code)
	f, ok := e.cells[strings.TrimSpace(code)]
	if !ok {
		return nil, nil
	}
	return f(ctx, out)
}

type detailedError struct{}

func (detailedError) Error() string     { return "line 1:1: undefined: foo" }
func (detailedError) ErrorName() string { return "CompileError" }
func (detailedError) Traceback() []string {
	return []string{"\x1b[31mCompileError\x1b[0m: undefined: foo", "  foo()"}
}

func notebook(t *testing.T, cells ...*Cell) *Notebook {
	t.Helper()
	return &Notebook{Cells: cells, Metadata: map[string]any{"kernelspec": map[string]any{"name": "gossl", "display_name": "Go (gossl)", "language": "go"}},
		NBFormat: 4, NBFormatMinor: 5}
}

func code(id, src string, tags ...string) *Cell {
	c := &Cell{ID: id, Type: "code", Source: src, Metadata: map[string]any{}}
	if len(tags) > 0 {
		var t []any
		for _, s := range tags {
			t = append(t, s)
		}
		c.Metadata["tags"] = t
	}
	return c
}

func TestRunRecordsOutputsLikeAFrontend(t *testing.T) {
	ev := &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
		"print": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			out.Stream("stdout", "a\n")
			out.Stream("stdout", "b\n")
			out.Stream("stderr", "warn\n")
			out.Display(display.Bundle{Data: map[string]any{"text/plain": "first"}, ID: "bar"})
			out.Stream("stdout", "c\n")
			return &display.Bundle{Data: map[string]any{"text/plain": "42"}}, nil
		},
		"update": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			// Replaces the output of the earlier cell, adds nothing here.
			return nil, out.Update(display.Bundle{Data: map[string]any{"text/plain": "second"}, ID: "bar"})
		},
		"clear": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			out.Stream("stdout", "gone\n")
			out.Clear(false)
			out.Stream("stdout", "kept\n")
			out.Clear(true) // clears only when the next output arrives
			out.Stream("stdout", "last\n")
			return nil, nil
		},
		"clearwait": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			out.Stream("stdout", "stays\n")
			out.Clear(true) // nothing follows: the output stays
			return nil, nil
		},
	}}
	md := &Cell{Type: "markdown", Source: "# Title\n", Metadata: map[string]any{}}
	stale := code("a", "print")
	stale.Metadata["execution"] = map[string]any{"iopub.status.idle": "2020-01-01T00:00:00Z"}
	nb := notebook(t, md, stale, code("b", "   \n"), code("c", "update"), code("d", "clear"), code("e", "clearwait"))
	res, err := Run(context.Background(), nb, ev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Executed != 4 || res.Errors != 0 {
		t.Errorf("result %+v, want 4 cells run and no errors", res)
	}
	if len(ev.ran) != 4 {
		t.Errorf("ran %q: the empty cell must be skipped", ev.ran)
	}
	a := nb.Cells[1]
	if _, ok := a.Metadata["execution"]; ok {
		t.Error("an earlier run's timings stayed in the cell metadata")
	}
	if a.ExecutionCount == nil || *a.ExecutionCount != 1 || nb.Cells[2].ExecutionCount != nil || *nb.Cells[3].ExecutionCount != 2 {
		t.Errorf("execution counts wrong: %v %v %v", a.ExecutionCount, nb.Cells[2].ExecutionCount, nb.Cells[3].ExecutionCount)
	}
	var kinds []string
	for _, o := range a.Outputs {
		kinds = append(kinds, o.Type+":"+o.Name)
	}
	if got := strings.Join(kinds, " "); got != "stream:stdout stream:stderr display_data: stream:stdout execute_result:" {
		t.Errorf("outputs %s", got)
	}
	if a.Outputs[0].Text != "a\nb\n" {
		t.Errorf("consecutive stdout text not merged: %q", a.Outputs[0].Text)
	}
	if a.Outputs[2].Data["text/plain"] != "second" {
		t.Errorf("display not updated by a later cell: %v", a.Outputs[2].Data)
	}
	if r := a.Outputs[4]; r.Data["text/plain"] != "42" || r.ExecutionCount == nil || *r.ExecutionCount != 1 {
		t.Errorf("execute_result %+v", r)
	}
	if n := len(nb.Cells[3].Outputs); n != 0 {
		t.Errorf("update cell has %d outputs, want none", n)
	}
	d := nb.Cells[4].Outputs
	if len(d) != 1 || d[0].Text != "last\n" {
		t.Errorf("clear_output: got %+v, want only \"last\"", d)
	}
	e := nb.Cells[5].Outputs
	if len(e) != 1 || e[0].Text != "stays\n" {
		t.Errorf("clear_output(wait) with nothing after: got %+v", e)
	}
}

func TestRunStopsAtFirstErrorUnlessAllowedOrTagged(t *testing.T) {
	ev := func() *scriptEval {
		return &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
			"fail": func(_ context.Context, out Frontend) (*display.Bundle, error) {
				out.Stream("stdout", "before\n")
				return nil, detailedError{}
			},
			"plain": func(context.Context, Frontend) (*display.Bundle, error) { return nil, errors.New("boom") },
		}}
	}
	nb := notebook(t, code("a", "ok1"), code("b", "fail", RaisesExceptionTag), code("c", "plain"), code("d", "ok2"))
	nb.Cells[3].Outputs = []*Output{{Type: "stream", Name: "stdout", Text: "stale\n"}}
	e := ev()
	res, err := Run(context.Background(), nb, e, Options{})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Index != 2 || ce.EName != "Error" || ce.EValue != "boom" {
		t.Fatalf("err = %v, want a CellError for cell index 2", err)
	}
	if res.Failed != 2 || res.Errors != 2 || len(e.ran) != 3 {
		t.Errorf("result %+v after running %q", res, e.ran)
	}
	b := nb.Cells[1].Outputs
	if len(b) != 2 || b[1].Type != "error" || b[1].EName != "CompileError" || len(b[1].Traceback) != 2 {
		t.Errorf("raises-exception cell outputs %+v", b)
	}
	if len(nb.Cells[3].Outputs) != 0 || nb.Cells[3].ExecutionCount != nil {
		t.Errorf("a cell after the failure keeps stale output: %+v", nb.Cells[3].Outputs)
	}

	e = ev()
	res, err = Run(context.Background(), nb, e, Options{AllowErrors: true})
	if err != nil || res.Executed != 4 || res.Errors != 2 || res.Failed != -1 {
		t.Errorf("with AllowErrors: err %v, result %+v", err, res)
	}
}

func TestRunTimeoutInterruptsTheCell(t *testing.T) {
	ev := &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
		"slow": func(ctx context.Context, out Frontend) (*display.Bundle, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}}
	nb := notebook(t, code("a", "slow"), code("b", "after"))
	_, err := Run(context.Background(), nb, ev, Options{Timeout: 10 * time.Millisecond})
	var ce *CellError
	if !errors.As(err, &ce) || ce.EName != "CellTimeoutError" {
		t.Fatalf("err = %v, want a CellTimeoutError", err)
	}
	if !strings.Contains(ce.EValue, "10ms") {
		t.Errorf("timeout message %q does not name the limit", ce.EValue)
	}
}

func TestRunInterruptStopsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ev := &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
		"slow": func(c context.Context, out Frontend) (*display.Bundle, error) {
			cancel() // the user presses Ctrl-C while this cell runs
			<-c.Done()
			return nil, c.Err()
		},
	}}
	nb := notebook(t, code("a", "slow"), code("b", "after"))
	_, err := Run(ctx, nb, ev, Options{AllowErrors: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(ev.ran) != 1 || nb.Cells[0].Outputs[0].EName != "Interrupted" {
		t.Errorf("ran %q, outputs %+v", ev.ran, nb.Cells[0].Outputs)
	}
}

func TestRunProgressAndStdin(t *testing.T) {
	ev := &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
		"ask": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			_, err := out.Input("name: ", false)
			return nil, err
		},
	}}
	var progress bytes.Buffer
	nb := notebook(t, code("a", "x := 1\ny := 2"), code("b", "ask"))
	_, err := Run(context.Background(), nb, ev, Options{Progress: &progress})
	if !errors.As(err, new(*CellError)) || !strings.Contains(err.Error(), ErrNoInput.Error()) {
		t.Errorf("stdin without Input: err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "[1/2]") || !strings.Contains(lines[0], "x := 1 …") || !strings.Contains(lines[1], "Error") {
		t.Errorf("progress lines:\n%s", progress.String())
	}
	_, err = Run(context.Background(), nb, ev, Options{Input: func(p string, _ bool) (string, error) { return "ok", nil }})
	if err != nil {
		t.Errorf("with Input: %v", err)
	}
}

func TestInjectParameters(t *testing.T) {
	params := code("p", `// defaults
var epochs = 3
var lr float32 = 0.01
var (
	name = "simclr"
	fast = false
	budget = 90 * time.Second
)
batch := 256
var sizes = []int{32, 64}`, ParametersTag)
	nb := notebook(t, code("a", "import \"time\""), params, code("b", "fmt.Println(epochs)"))
	got, err := nb.Parameters()
	if err != nil {
		t.Fatal(err)
	}
	want := "epochs:int lr:float32 name:string fast:bool budget:time.Duration batch:int sizes:[]int"
	var parts []string
	for _, p := range got {
		parts = append(parts, p.Name+":"+p.Type)
	}
	if strings.Join(parts, " ") != want {
		t.Errorf("parameters %s\nwant %s", strings.Join(parts, " "), want)
	}
	warnings, err := nb.InjectParameters(map[string]string{
		"epochs": "10", "lr": "0.5", "name": "my run", "fast": "true", "budget": "2m", "batch": "64",
		"sizes": "[]int{8}", "extra": "1.5",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "extra") {
		t.Errorf("warnings %q, want one about the undeclared extra", warnings)
	}
	inj := nb.Cells[2]
	if !inj.HasTag(InjectedParametersTag) || inj.ID == "" {
		t.Fatalf("cell after parameters is %+v", inj)
	}
	for _, line := range []string{
		"epochs = 10", "lr = 0.5", `name = "my run"`, "fast = true",
		"budget = time.Duration(120000000000) // 2m0s", "batch = 64", "sizes = []int{8}", "var extra float64 = 1.5",
	} {
		if !strings.Contains(inj.Source, line+"\n") && !strings.HasSuffix(inj.Source, line) {
			t.Errorf("injected cell lacks %q:\n%s", line, inj.Source)
		}
	}
	// A second injection replaces the first cell rather than adding one.
	if _, err := nb.InjectParameters(map[string]string{"epochs": "1"}); err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 4 || !strings.Contains(nb.Cells[2].Source, "epochs = 1") {
		t.Errorf("re-injection: %d cells, injected %q", len(nb.Cells), nb.Cells[2].Source)
	}
	for _, bad := range []map[string]string{{"epochs": "ten"}, {"fast": "maybe"}, {"budget": "soon"}, {"lr": "x"}, {"sizes": "[]int{"}, {"1x": "2"}} {
		if _, err := nb.InjectParameters(bad); err == nil {
			t.Errorf("InjectParameters(%v) accepted a bad value", bad)
		}
	}
	// A string given as a Go literal is kept as written.
	if _, err := nb.InjectParameters(map[string]string{"name": `"a\tb"`}); err != nil || !strings.Contains(nb.Cells[2].Source, `name = "a\tb"`) {
		t.Errorf("quoted string: %v %q", err, nb.Cells[2].Source)
	}
}

func TestParametersWhoseTypeCannotBeTold(t *testing.T) {
	nb := notebook(t, code("p", "var n = compute()", ParametersTag))
	_, err := nb.InjectParameters(map[string]string{"n": "1"})
	if err == nil || !strings.Contains(err.Error(), "var n TYPE") {
		t.Errorf("err = %v, want advice to give n a type", err)
	}
}

func TestNotebookWithoutParametersCellGetsThemFirst(t *testing.T) {
	nb := notebook(t, code("a", "fmt.Println(n)"))
	w, err := nb.InjectParameters(map[string]string{"n": "4"})
	if err != nil || len(w) != 2 {
		t.Fatalf("err %v, warnings %q", err, w)
	}
	if !nb.Cells[0].HasTag(InjectedParametersTag) || nb.Cells[0].Source != "// Parameters\nvar n int = 4" {
		t.Errorf("first cell %+v", nb.Cells[0])
	}
}

func TestReadGivesCellsTheIDsNBFormat45Needs(t *testing.T) {
	nb, err := Read([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}]}`))
	if err != nil || nb.Cells[0].ID == "" {
		t.Fatalf("cell id %q, err %v", nb.Cells[0].ID, err)
	}
	old, err := Read([]byte(`{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}]}`))
	if err != nil || old.Cells[0].ID != "" {
		t.Fatalf("nbformat 4.4 cell got id %q (4.4 does not allow one), err %v", old.Cells[0].ID, err)
	}
	data, _ := old.Marshal()
	checkWithNBFormat(t, data)
}

func TestReadRejectsBadNotebooks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"cells": [`, "line 1"},
		{`{"cells": []}`, "no nbformat"},
		{`{"nbformat": 3, "cells": []}`, "nbformat 3"},
		{`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "widget", "source": ""}]}`, "unknown cell_type"},
		{`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}`, "source"},
	} {
		_, err := Read([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %v, want an error naming %q", tc.in, err, tc.want)
		}
	}
}

// TestWrittenNotebookIsValidNBFormat round-trips a notebook with every
// kind of output through Marshal and Read and checks the file with
// nbformat's own validator when Debian's python3-nbformat is installed.
func TestWrittenNotebookIsValidNBFormat(t *testing.T) {
	ev := &scriptEval{cells: map[string]func(context.Context, Frontend) (*display.Bundle, error){
		"all": func(_ context.Context, out Frontend) (*display.Bundle, error) {
			out.Stream("stdout", "line 1\nline 2\n")
			out.Display(display.Bundle{Data: map[string]any{"text/plain": "p", "image/png": "iVBORw0KGgo=",
				"application/json": map[string]any{"a": []any{1.0, "x"}}, "text/html": "<b>x</b>\n<i>y</i>"},
				Metadata: map[string]any{"image/png": map[string]any{"width": 10, "height": 5}}, ID: "d1"})
			return &display.Bundle{Data: map[string]any{"text/plain": "result"}}, nil
		},
		"fail": func(context.Context, Frontend) (*display.Bundle, error) { return nil, detailedError{} },
	}}
	nb := notebook(t, &Cell{ID: "m", Type: "markdown", Source: "# T\n\ntext", Metadata: map[string]any{}},
		code("a", "all"), code("b", "fail"), &Cell{ID: "r", Type: "raw", Source: "raw", Metadata: map[string]any{}}, code("c", "never"))
	if _, err := nb.InjectParameters(map[string]string{"n": "1"}); err != nil {
		t.Fatal(err)
	}
	Run(context.Background(), nb, ev, Options{})
	data, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(data)
	if err != nil {
		t.Fatalf("reading our own output: %v", err)
	}
	again, _ := back.Marshal()
	if !bytes.Equal(data, again) {
		t.Errorf("write → read → write changed the file")
	}
	var raw map[string]any
	json.Unmarshal(data, &raw)
	cell := raw["cells"].([]any)[2].(map[string]any)
	if src, ok := cell["source"].([]any); !ok || len(src) != 1 {
		t.Errorf("source not stored as a list of lines: %v", cell["source"])
	}
	checkWithNBFormat(t, data)
}

func checkWithNBFormat(t *testing.T, data []byte) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import nbformat").Run(); err != nil {
		t.Skip("Debian's python3-nbformat is not installed")
	}
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], 4))", path).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat rejects the notebook: %v\n%s", err, out)
	}
}

func TestWriteHTMLShowsEveryOutput(t *testing.T) {
	n := 1
	nb := notebook(t, &Cell{Type: "markdown", Source: "# Title\n\nSome *text*.", Metadata: map[string]any{}},
		&Cell{Type: "code", Source: "x := 1 < 2", ExecutionCount: &n, Metadata: map[string]any{}, Outputs: []*Output{
			{Type: "stream", Name: "stdout", Text: "a < b\n"},
			{Type: "display_data", Data: map[string]any{"image/png": "AAAA", "text/plain": "chart"},
				Metadata: map[string]any{"image/png": map[string]any{"width": 576, "height": 384}}},
			{Type: "display_data", Data: map[string]any{"text/html": "<table><tr><td>1</td></tr></table><script>go()</script>", "image/png": "BBBB"}},
			{Type: "error", EName: "panic", EValue: "x", Traceback: []string{"\x1b[31mpanic\x1b[0m: x"}},
		}})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, nb, "demo <1>"); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<title>demo &lt;1&gt;</title>", "<h1>Title</h1>", "<em>text</em>", "x := 1 &lt; 2", "a &lt; b",
		`<img src="data:image/png;base64,AAAA" width="576" height="384" alt="">`,
		"<table><tr><td>1</td></tr></table><script>go()</script>", "panic: x", "In&nbsp;[1]:",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "BBBB") || strings.Contains(page, "\x1b") {
		t.Errorf("page shows a bundle's fallback or ANSI codes")
	}
}
