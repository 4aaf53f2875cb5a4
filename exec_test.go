package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gossl/gossl/runner"
)

// TestExecWithTheGoSession runs a notebook through gossl exec's real path:
// the Go session, the display package and the runner, as `gossl exec`
// does, and checks what the written notebook and page hold.
func TestExecWithTheGoSession(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	src := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
 {"id": "a", "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
  "source": "import (\n\t\"fmt\"\n\t\"github.com/gossl/gossl/display\"\n)"},
 {"id": "p", "cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": null,
  "source": "var steps = 2\nvar label = \"default\""},
 {"id": "b", "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
  "source": "d := display.New()\nd.Show(\"waiting\")\nfor i := 1; i <= steps; i++ {\n\td.Update(fmt.Sprintf(\"step %d of %d\", i, steps))\n}\nfmt.Println(label)\ndisplay.Show(display.LossCurve([]float64{3, 2, 1}))\nsteps * 10"},
 {"id": "c", "cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "outputs": [], "execution_count": null,
  "source": "var xs []int\nxs[5]"},
 {"id": "e", "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
  "source": "undefinedName + 1"}
]}`
	in := filepath.Join(dir, "nb.ipynb")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, page := filepath.Join(dir, "out.ipynb"), filepath.Join(dir, "out.html")
	err := runExec([]string{in, "-o", out, "--html", page, "-p", "steps=3", "-p", "label=from -p"})
	var exit *execExit
	if !errors.As(err, &exit) || exit.code != 1 || !strings.Contains(err.Error(), "cell 6") {
		t.Fatalf("err = %v, want exit 1 at the undefined name in cell 6", err)
	}
	nb, err := runner.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 6 || !nb.Cells[2].HasTag(runner.InjectedParametersTag) {
		t.Fatalf("no injected-parameters cell after the parameters: %d cells", len(nb.Cells))
	}
	b := nb.Cells[3]
	var kinds []string
	for _, o := range b.Outputs {
		kinds = append(kinds, o.Type)
	}
	if strings.Join(kinds, " ") != "display_data stream display_data execute_result" {
		t.Fatalf("outputs of the display cell: %v", kinds)
	}
	if got := b.Outputs[0].Data["text/plain"]; got != "step 3 of 3" {
		t.Errorf("updated display shows %q, want the last update", got)
	}
	if b.Outputs[1].Text != "from -p\n" {
		t.Errorf("stream %q", b.Outputs[1].Text)
	}
	if _, ok := b.Outputs[2].Data["image/png"]; !ok {
		t.Errorf("loss curve without a PNG: %v", b.Outputs[2].Data)
	}
	if b.Outputs[3].Data["text/plain"] != "30" || *b.Outputs[3].ExecutionCount != 4 {
		t.Errorf("execute_result %v (count %v)", b.Outputs[3].Data, *b.Outputs[3].ExecutionCount)
	}
	if o := nb.Cells[4].Outputs; len(o) != 1 || o[0].Type != "error" || o[0].EName != "panic" {
		t.Errorf("raises-exception cell: %+v", o)
	}
	if o := nb.Cells[5].Outputs; len(o) != 1 || o[0].EName != "CompileError" || len(o[0].Traceback) == 0 {
		t.Errorf("failing cell: %+v", o)
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), `<img src="data:image/png;base64,`) {
		t.Errorf("HTML page lacks the plot (err %v)", err)
	}
}
