package display

import "testing"

type htmlTable struct{ rows int }

func (t htmlTable) HTML() string   { return "<table><tr><td>rows</td></tr></table>" }
func (t htmlTable) String() string { return "table" }

type mdNote string

func (n mdNote) Markdown() string { return "**" + string(n) + "**" }

type both struct{}

func (both) HTML() string   { return "<b>html</b>" }
func (both) Render() Bundle { return Bundle{Data: map[string]any{"text/plain": "rendered"}} }

func TestSingleFormatMethods(t *testing.T) {
	b := Render(htmlTable{3})
	if b.Data["text/html"] != "<table><tr><td>rows</td></tr></table>" || b.Data["text/plain"] == nil {
		t.Fatalf("HTML method: %v", b.Data)
	}
	if b := Render(mdNote("hi")); b.Data["text/markdown"] != "**hi**" {
		t.Fatalf("Markdown method: %v", b.Data)
	}
	if b := Render(both{}); b.Data["text/plain"] != "rendered" || b.Data["text/html"] != nil {
		t.Fatalf("Renderer must win over HTML: %v", b.Data)
	}
	var nilTable *htmlTable
	if b := Render(nilTable); b.Data["text/html"] != nil {
		t.Fatalf("nil pointer rendered as HTML: %v", b.Data)
	}
}
