package display

import (
	"fmt"
	"strings"
	"testing"
)

type run struct {
	Method   string
	Accuracy float64
	Epochs   int
	secret   string
}

func TestTableOfStructs(t *testing.T) {
	runs := []run{{"SimCLR", 0.71, 100, "x"}, {"<BYOL>", 0.74, 200, "y"}}
	b := Render(runs)
	html, ok := b.Data["text/html"].(string)
	if !ok {
		t.Fatalf("no text/html for a slice of structs: %v", b.Data)
	}
	for _, want := range []string{"<th>Method</th>", "<th>Accuracy</th>", "<th>Epochs</th>",
		"SimCLR", "0.71", "&lt;BYOL&gt;", ">200<", "2 rows × 3 columns"} {
		if !strings.Contains(html, want) {
			t.Errorf("table lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "secret") || strings.Contains(html, "<BYOL>") {
		t.Errorf("table shows unexported fields or unescaped text:\n%s", html)
	}
	if !strings.Contains(b.Data["text/plain"].(string), "SimCLR") {
		t.Error("text/plain lacks the data")
	}
}

func TestTableOfPointersAndMaps(t *testing.T) {
	html := Render([]*run{{Method: "a"}, nil}).Data["text/html"].(string)
	if strings.Count(html, "<tr>") != 3 { // header + 2 rows
		t.Errorf("want 3 rows incl. header, got:\n%s", html)
	}
	rows := []map[string]any{{"loss": 0.5, "step": 1}, {"loss": 0.4, "lr": 0.1}}
	html = Render(rows).Data["text/html"].(string)
	for _, want := range []string{"<th>loss</th><th>lr</th><th>step</th>", "0.4", "0.1"} {
		if !strings.Contains(html, want) {
			t.Errorf("map rows table lacks %q:\n%s", want, html)
		}
	}
	html = Render(map[string]run{"b": {Method: "m2"}, "a": {Method: "m1"}}).Data["text/html"].(string)
	if !strings.Contains(html, "<th>key</th><th>Method</th>") || strings.Index(html, "m1") > strings.Index(html, "m2") {
		t.Errorf("map of structs table wrong:\n%s", html)
	}
	html = Render(map[string]float64{"acc": 0.9}).Data["text/html"].(string)
	if !strings.Contains(html, "<th>key</th><th>value</th>") || !strings.Contains(html, "acc") || !strings.Contains(html, "1 row × 2 columns") {
		t.Errorf("map table wrong:\n%s", html)
	}
}

func TestLongTableIsAbbreviated(t *testing.T) {
	var runs []run
	for i := 0; i < 1000; i++ {
		runs = append(runs, run{Method: fmt.Sprintf("m%d", i)})
	}
	html := Render(runs).Data["text/html"].(string)
	if !strings.Contains(html, "1000 rows") || !strings.Contains(html, ">m0<") || !strings.Contains(html, ">m999<") {
		t.Errorf("long table lacks its count, head or tail")
	}
	if strings.Contains(html, ">m500<") {
		t.Error("long table shows its middle")
	}
	if n := strings.Count(html, "<tr>"); n != 1+headTableRows+1+tailTableRows {
		t.Errorf("%d rows drawn", n)
	}
}

func TestScalarsAreNotTables(t *testing.T) {
	for _, v := range []any{[]int{1, 2}, "x", 3, []string{"a"}} {
		if _, ok := Render(v).Data["text/html"]; ok {
			t.Errorf("%T rendered as a table", v)
		}
	}
}
