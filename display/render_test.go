package display

import (
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

type person struct {
	Name string
	Age  int
}

type selfRendering struct{}

func (s selfRendering) Render() Bundle {
	return Bundle{Data: map[string]any{"text/html": "<i>custom</i>"}}
}

type panicking struct{}

func (panicking) Render() Bundle { panic("boom") }

func decodePNG(t *testing.T, b Bundle) image.Image {
	t.Helper()
	s, ok := b.Data["image/png"].(string)
	if !ok {
		t.Fatalf("no image/png in bundle with keys %v", keys(b))
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("image/png is not base64: %v", err)
	}
	img, err := png.Decode(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("image/png does not decode: %v", err)
	}
	return img
}

func keys(b Bundle) []string {
	var k []string
	for m := range b.Data {
		k = append(k, m)
	}
	return k
}

func TestRenderAlwaysHasText(t *testing.T) {
	for _, v := range []any{nil, 1, "s", 2.5, []int{1}, map[string]int{"a": 1}, person{"a", 1},
		&person{"b", 2}, errors.New("bad"), selfRendering{}, panicking{}, (*person)(nil),
		image.NewRGBA(image.Rect(0, 0, 3, 2)), struct{}{}, make(chan int), func() {}} {
		b := Render(v)
		if s, ok := b.Data["text/plain"].(string); !ok || s == "" {
			t.Errorf("Render(%T) has no text/plain: %v", v, b.Data)
		}
	}
}

func TestRenderImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 30, 20))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	got := decodePNG(t, Render(img))
	if got.Bounds().Dx() != 30 || got.Bounds().Dy() != 20 {
		t.Fatalf("size %v, want 30×20", got.Bounds())
	}
	if r, _, _, _ := got.At(1, 1).RGBA(); r>>8 != 255 {
		t.Errorf("pixel (1,1) lost its red: %v", got.At(1, 1))
	}
}

func TestRenderRenderer(t *testing.T) {
	b := Render(selfRendering{})
	if b.Data["text/html"] != "<i>custom</i>" {
		t.Errorf("Renderer's bundle not used: %v", b.Data)
	}
	b = Render(panicking{})
	if s := b.Data["text/plain"].(string); !strings.Contains(s, "boom") {
		t.Errorf("panic not reported: %q", s)
	}
}

func TestRenderError(t *testing.T) {
	b := Render(errors.New("file not found"))
	if b.Data["text/plain"] != "file not found" {
		t.Errorf("text/plain = %q", b.Data["text/plain"])
	}
}

func TestRenderBundleIsCopied(t *testing.T) {
	orig := Bundle{Data: map[string]any{"text/html": "x"}}
	b := Render(orig)
	b.Data["extra"] = 1
	if _, ok := orig.Data["extra"]; ok {
		t.Error("Render changed the caller's bundle")
	}
	if _, ok := orig.Data["text/plain"]; ok {
		t.Error("Render added text/plain to the caller's bundle")
	}
}

func TestRenderImageSlice(t *testing.T) {
	imgs := []image.Image{image.NewRGBA(image.Rect(0, 0, 64, 64)), image.NewRGBA(image.Rect(0, 0, 64, 64))}
	got := decodePNG(t, Render(imgs))
	if w := got.Bounds().Dx(); w != 2*(64+gridPad)+gridPad {
		t.Errorf("grid width %d", w)
	}
}

func TestRenderBundleWithoutText(t *testing.T) {
	b := Render(Bundle{Data: map[string]any{"text/html": "<p>hello <b>you</b></p>"}})
	if b.Data["text/plain"] != "hello you" {
		t.Errorf("text/plain = %q", b.Data["text/plain"])
	}
	b = Render(&Bundle{Data: map[string]any{"image/png": "iVBORw0KGgo", "image/jpeg": "x"}})
	if b.Data["text/plain"] != "<image/jpeg, image/png>" {
		t.Errorf("text/plain = %q", b.Data["text/plain"])
	}
}
