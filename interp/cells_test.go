package interp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCells runs the golden cell files of testdata/cells: cells separated
// by "// ---" lines, then "// Output:" and the expected text of all cells
// together, each line behind "// ". A cell's result shows as its
// text/plain, an error as "error: " and its message, stderr lines behind
// "stderr: ". Lines "//gossl:input X" in a cell answer its input requests.
func TestCells(t *testing.T) {
	files, err := filepath.Glob("testdata/cells/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cells: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cells, want := parseGolden(t, string(data))
			got := runCells(t, cells)
			if got != want {
				t.Errorf("output mismatch\n--- got:\n%s\n--- want:\n%s", got, want)
			}
		})
	}
}

type goldenCell struct {
	code   string
	inputs []string
}

func parseGolden(t *testing.T, data string) ([]goldenCell, string) {
	src, out, ok := strings.Cut(data, "// Output:\n")
	if !ok {
		t.Fatal("missing // Output:")
	}
	var cells []goldenCell
	for _, part := range strings.Split(src, "// ---\n") {
		var c goldenCell
		var code []string
		for _, l := range strings.Split(part, "\n") {
			if in, ok := strings.CutPrefix(l, "//gossl:input"); ok {
				c.inputs = append(c.inputs, strings.TrimPrefix(in, " "))
				continue
			}
			code = append(code, l)
		}
		c.code = strings.Join(code, "\n")
		cells = append(cells, c)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		want = append(want, strings.TrimPrefix(strings.TrimPrefix(l, "//"), " "))
	}
	return cells, strings.Join(want, "\n") + "\n"
}

// runCells runs cells in one fresh session and renders what they sent.
func runCells(t *testing.T, cells []goldenCell) string {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var all strings.Builder
	for _, c := range cells {
		out := &fakeOutput{inputs: c.inputs}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		b, err := s.Execute(ctx, c.code, out)
		cancel()
		all.WriteString(out.String())
		if b != nil {
			text, _ := b.Data["text/plain"].(string)
			all.WriteString(text + "\n")
		}
		if err != nil {
			var ce *CellError
			if !errors.As(err, &ce) {
				t.Errorf("error %v is %T, not a *CellError", err, err)
				continue
			}
			all.WriteString("error: " + ce.ErrorName() + ": " + err.Error() + "\n")
		}
	}
	// %time's figure changes from run to run
	return regexp.MustCompile(`(?m)^time: \S+$`).ReplaceAllString(all.String(), "time: X")
}
