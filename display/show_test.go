package display

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func TestShowFunctionsPublishTheirMIMEType(t *testing.T) {
	rec := &recorder{}
	withPublisher(t, rec)
	img := image.NewRGBA(image.Rect(0, 0, 5, 4))
	var pngData, jpegData bytes.Buffer
	png.Encode(&pngData, img)
	jpeg.Encode(&jpegData, img, nil)
	calls := []struct {
		mime string
		call func() error
	}{
		{"image/png", func() error { return Show(img) }},
		{"image/png", func() error { return PNG(img) }},
		{"image/png", func() error { return PNG(pngData.Bytes()) }},
		{"image/jpeg", func() error { return JPEG(img) }},
		{"image/jpeg", func() error { return JPEG(jpegData.Bytes()) }},
		{"image/svg+xml", func() error { return SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>`) }},
		{"text/html", func() error { return HTML("<b>bold</b>") }},
		{"text/markdown", func() error { return Markdown("# Title") }},
		{"text/latex", func() error { return LaTeX(`\frac{a}{b}`) }},
		{"application/json", func() error { return JSON(map[string]int{"a": 1}) }},
		{"text/plain", func() error { return Text("hi") }},
	}
	for i, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("call %d (%s): %v", i, c.mime, err)
		}
		got := rec.shown[len(rec.shown)-1]
		if _, ok := got.Data[c.mime]; !ok {
			t.Errorf("call %d: bundle lacks %s: %v", i, c.mime, keys(got))
		}
		if _, ok := got.Data["text/plain"]; !ok {
			t.Errorf("call %d: bundle lacks text/plain", i)
		}
		if got.ID != "" {
			t.Errorf("call %d: plain show has display id %q", i, got.ID)
		}
	}
	if len(rec.shown) != len(calls) {
		t.Errorf("%d outputs for %d calls", len(rec.shown), len(calls))
	}
	last := rec.shown[8]
	if last.Data["text/latex"] != `$$\frac{a}{b}$$` {
		t.Errorf("LaTeX not wrapped in $$: %q", last.Data["text/latex"])
	}
	if w := rec.shown[3].Metadata["image/jpeg"].(map[string]any)["width"]; w != 5 {
		t.Errorf("JPEG metadata width %v", w)
	}
}

func TestShowFunctionsRejectBadInput(t *testing.T) {
	rec := &recorder{}
	withPublisher(t, rec)
	bad := map[string]error{
		"PNG of JPEG-ish bytes": PNG([]byte("not a png")),
		"PNG of string":         PNG("x.png"),
		"JPEG of PNG bytes":     JPEG([]byte("\x89PNG\r\n\x1a\n")),
		"JPEG of nil image":     JPEG((*image.RGBA)(nil)),
		"SVG not XML":           SVG("<svg"),
		"SVG wrong root":        SVG("<html></html>"),
		"JSON invalid bytes":    JSON([]byte("{oops")),
		"JSON unencodable":      JSON(func() {}),
		"Update without id":     Update("", 1),
	}
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "display: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
	if len(rec.shown)+len(rec.updated) != 0 {
		t.Errorf("bad input was published: %d outputs", len(rec.shown)+len(rec.updated))
	}
}

func TestJSONKeepsStructure(t *testing.T) {
	rec := &recorder{}
	withPublisher(t, rec)
	if err := JSON(json.RawMessage(`{"a":[1,2]}`)); err != nil {
		t.Fatal(err)
	}
	tree := rec.shown[0].Data["application/json"].(map[string]any)
	if arr := tree["a"].([]any); len(arr) != 2 {
		t.Errorf("JSON tree %v", tree)
	}
}

func TestPublisherErrorsAreReturned(t *testing.T) {
	boom := errors.New("socket closed")
	withPublisher(t, &recorder{fail: boom})
	if err := Show(1); !errors.Is(err, boom) {
		t.Errorf("Show error = %v", err)
	}
	if err := Clear(true); !errors.Is(err, boom) {
		t.Errorf("Clear error = %v", err)
	}
}

func TestFallbackWithoutPublisher(t *testing.T) {
	withPublisher(t, nil)
	out := captureStdout(t)
	Show(struct{ A int }{7})
	HTML("<p>para <b>bold</b></p>")
	Markdown("*md*")
	Update("some-id", "updated")
	if err := Clear(false); err != nil {
		t.Errorf("Clear without frontend: %v", err)
	}
	want := "struct{A: 7}\npara bold\n*md*\nupdated\n"
	if out.String() != want {
		t.Errorf("stdout = %q, want %q", out.String(), want)
	}
}

func TestDisplayUpdatesItsOwnID(t *testing.T) {
	rec := &recorder{}
	withPublisher(t, rec)
	a, b := New(), New()
	if a.ID() == b.ID() || a.ID() == "" {
		t.Fatalf("ids not unique: %q %q", a.ID(), b.ID())
	}
	a.Update("first") // before Show: shows
	b.Show("other")
	a.Update("second")
	Update(b.ID(), "third")
	Clear(true)
	if len(rec.shown) != 2 || rec.shown[0].ID != a.ID() || rec.shown[1].ID != b.ID() {
		t.Fatalf("shown %+v", rec.shown)
	}
	if len(rec.updated) != 2 {
		t.Fatalf("updated %+v", rec.updated)
	}
	if u := rec.updated[0]; u.ID != a.ID() || u.Data["text/plain"] != "second" {
		t.Errorf("first update %+v", u)
	}
	if u := rec.updated[1]; u.ID != b.ID() || u.Data["text/plain"] != "third" {
		t.Errorf("second update %+v", u)
	}
	if len(rec.clears) != 1 || !rec.clears[0] {
		t.Errorf("clears %v", rec.clears)
	}
}

func TestNewBundle(t *testing.T) {
	b := Render(NewBundle("text/html", "<i>x</i>"))
	if b.Data["text/html"] != "<i>x</i>" || b.Data["text/plain"] != "x" {
		t.Errorf("NewBundle rendered as %v", b.Data)
	}
	if b := NewBundle("text/markdown", "*m*"); b.Data["text/plain"] != "*m*" {
		t.Errorf("markdown text/plain %v", b.Data["text/plain"])
	}
	if b := NewBundle("image/png", "iVBOR"); b.Data["text/plain"] != "<image/png>" {
		t.Errorf("image text/plain %v", b.Data["text/plain"])
	}
}
