package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"
)

func sampleMap(n int, thumbs bool) *EmbeddingMap {
	xs, ys, labels := make([]float64, n), make([]float64, n), make([]int, n)
	var imgs []image.Image
	for i := 0; i < n; i++ {
		xs[i] = math.Cos(float64(i)) * float64(i)
		ys[i] = math.Sin(float64(i)) * float64(i)
		labels[i] = i % 3
		if thumbs {
			imgs = append(imgs, solid(200, 100, color.RGBA{uint8(i), 0, 0, 255}))
		}
	}
	m := NewEmbeddingMap(xs, ys, labels, imgs)
	m.ClassNames = []string{"cat", "dog", "<bird>"}
	return m
}

// mapData decodes the points the map's script draws.
func mapData(t *testing.T, html string) mapPoints {
	t.Helper()
	m := regexp.MustCompile(`var d = (\{.*?\}), W = `).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no point data in the map's script")
	}
	var d mapPoints
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("point data: %v", err)
	}
	return d
}

func TestEmbeddingMapHTML(t *testing.T) {
	m := sampleMap(50, true)
	b := Render(m)
	html := b.Data["text/html"].(string)
	d := mapData(t, html)
	if len(d.X) != 50 || len(d.Y) != 50 || len(d.Class) != 50 {
		t.Errorf("%d/%d/%d points in the data, want 50", len(d.X), len(d.Y), len(d.Class))
	}
	if strings.Join(d.Names, ",") != "cat,dog,<bird>" || len(d.Colours) != 3 || d.Colours[0] == d.Colours[1] {
		t.Errorf("classes %q colours %q", d.Names, d.Colours)
	}
	for i, c := range d.Class {
		if want := i % 3; c != want {
			t.Fatalf("point %d in class %d, want %d", i, c, want)
		}
	}
	for _, want := range []string{"<script>", "wheel", "mousedown", "gm-legend", "removeChild(img)"} {
		if !strings.Contains(html, want) {
			t.Errorf("map HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<bird>") {
		t.Error("a class name is not escaped")
	}
	// self-contained: nothing fetched from the network
	if regexp.MustCompile(`(src|href)="https?:`).MatchString(html) || strings.Contains(html, "http://cdn") {
		t.Error("map refers to the network")
	}
	// the thumbnails are shrunk to at most 96 pixels
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(d.Thumbs[0], "data:image/png;base64,"))
	thumb, err := png.Decode(bytes.NewReader(raw))
	if err != nil || thumb.Bounds().Dx() != 96 || thumb.Bounds().Dy() != 48 {
		t.Errorf("thumbnail %v, err %v; want 96×48", thumb.Bounds(), err)
	}
	if s := b.Data["text/plain"].(string); !strings.Contains(s, "50 points, 3 classes") {
		t.Errorf("text/plain %q", s)
	}
}

// TestEmbeddingMapShowsWithoutScripts strips what Jupyter strips from an
// untrusted output (scripts, inline SVG) and checks what is left is the
// static image of the map, drawn at twice its display size, plus the
// title: no run-together text of the legend.
func TestEmbeddingMapShowsWithoutScripts(t *testing.T) {
	html := Render(sampleMap(50, false)).Data["text/html"].(string)
	stripped := regexp.MustCompile(`(?s)<script>.*?</script>|<svg.*?</svg>`).ReplaceAllString(html, "")
	imgs := regexp.MustCompile(`<img class="gm-static" src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"`).FindAllStringSubmatch(stripped, -1)
	if len(imgs) != 1 {
		t.Fatalf("%d static images without scripts, want 1", len(imgs))
	}
	raw, _ := base64.StdEncoding.DecodeString(imgs[0][1])
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 2*mapWidth || imgs[0][2] != fmt.Sprint(mapWidth) || imgs[0][3] != fmt.Sprint(mapHeight) {
		t.Errorf("static image %v shown at %s×%s, want %d×%d at 2×", img.Bounds(), imgs[0][2], imgs[0][3], mapWidth, mapHeight)
	}
	if !notBlank(img) {
		t.Error("static image is blank")
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(stripped, "")
	if strings.TrimSpace(text) != "Embedding map" {
		t.Errorf("text left without scripts: %q, want only the title", text)
	}
}

func TestEmbeddingMapPointsInsideView(t *testing.T) {
	html, err := sampleMap(200, false).HTML()
	if err != nil {
		t.Fatal(err)
	}
	d := mapData(t, html)
	for i := range d.X {
		if d.X[i] < 0 || d.X[i] > mapWidth || d.Y[i] < 0 || d.Y[i] > mapHeight {
			t.Fatalf("point (%v, %v) outside the %d×%d view", d.X[i], d.Y[i], mapWidth, mapHeight)
		}
	}
}

func TestEmbeddingMapBadInput(t *testing.T) {
	for name, m := range map[string]*EmbeddingMap{
		"lengths": NewEmbeddingMap([]float64{1}, []float64{1, 2}, nil, nil),
		"empty":   NewEmbeddingMap(nil, nil, nil, nil),
		"labels":  NewEmbeddingMap([]float64{1}, []float64{1}, []int{1, 2}, nil),
		"thumbs":  NewEmbeddingMap([]float64{1}, []float64{1}, nil, []image.Image{nil, nil}),
		"NaN":     NewEmbeddingMap([]float64{math.NaN()}, []float64{1}, nil, nil),
	} {
		if m.Check() == nil {
			t.Errorf("%s: no error", name)
		}
		b := Render(m)
		if _, ok := b.Data["text/html"]; ok && !strings.Contains(b.Data["text/html"].(string), "#b00020") {
			t.Errorf("%s: drew a map", name)
		}
		if s := b.Data["text/plain"].(string); !strings.HasPrefix(s, "display: EmbeddingMap") {
			t.Errorf("%s: text %q", name, s)
		}
	}
}

func TestEmbeddingMapStoresEachThumbnailOnce(t *testing.T) {
	red, blue := solid(8, 8, color.RGBA{255, 0, 0, 255}), solid(8, 8, color.RGBA{0, 0, 255, 255})
	m := NewEmbeddingMap([]float64{0, 1, 2, 3}, []float64{0, 1, 0, 1}, nil, []image.Image{red, blue, red, nil})
	html, err := m.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mapData(t, html).Thumbs); n != 2 {
		t.Errorf("%d thumbnails stored, want 2 distinct", n)
	}
	if !strings.Contains(html, `"thumbIndex":[0,1,0,-1]`) {
		t.Error("point-to-thumbnail index missing or wrong")
	}
}
