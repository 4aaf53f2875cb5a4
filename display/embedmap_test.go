package display

import (
	"bytes"
	"encoding/base64"
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

func TestEmbeddingMapHTML(t *testing.T) {
	m := sampleMap(50, true)
	b := Render(m)
	html := b.Data["text/html"].(string)
	if n := strings.Count(html, `class="gm-point"`); n != 50 {
		t.Errorf("%d points drawn, want 50", n)
	}
	for _, want := range []string{">cat<", ">dog<", "&lt;bird&gt;", "<script>", "wheel", "mousedown", "data:image/png;base64,"} {
		if !strings.Contains(html, want) {
			t.Errorf("map HTML lacks %q", want)
		}
	}
	// self-contained: nothing fetched from the network
	if regexp.MustCompile(`(src|href)="https?:`).MatchString(html) || strings.Contains(html, "http://cdn") {
		t.Error("map refers to the network")
	}
	// points of one class share a colour; classes differ
	colours := map[string]string{}
	for _, m := range regexp.MustCompile(`fill="(#[0-9a-f]{6})"[^>]*data-label="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if c, ok := colours[m[2]]; ok && c != m[1] {
			t.Errorf("class %s has colours %s and %s", m[2], c, m[1])
		}
		colours[m[2]] = m[1]
	}
	if len(colours) != 3 || colours["cat"] == colours["dog"] {
		t.Errorf("class colours %v", colours)
	}
	// the thumbnails are shrunk to at most 96 pixels
	uri := regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`).FindStringSubmatch(html)
	raw, _ := base64.StdEncoding.DecodeString(uri[1])
	thumb, err := png.Decode(bytes.NewReader(raw))
	if err != nil || thumb.Bounds().Dx() != 96 || thumb.Bounds().Dy() != 48 {
		t.Errorf("thumbnail %v, err %v; want 96×48", thumb.Bounds(), err)
	}
	// the static PNG is there too
	if img, err := png.Decode(bytes.NewReader(pngBytes(t, b))); err != nil || img.Bounds().Dx() != 576 {
		t.Errorf("static PNG %v err %v", img, err)
	}
	if s := b.Data["text/plain"].(string); !strings.Contains(s, "50 points, 3 classes") {
		t.Errorf("text/plain %q", s)
	}
}

func TestEmbeddingMapPointsInsideView(t *testing.T) {
	html, err := sampleMap(200, false).HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`cx="([-0-9.]+)" cy="([-0-9.]+)"`).FindAllStringSubmatch(html, -1) {
		var x, y float64
		if _, err := fmtSscan(m[1], &x); err != nil {
			t.Fatal(err)
		}
		fmtSscan(m[2], &y)
		if x < 0 || x > mapWidth || y < 0 || y > mapHeight {
			t.Fatalf("point (%v, %v) outside the %d×%d view", x, y, mapWidth, mapHeight)
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
		if _, ok := b.Data["image/png"]; ok {
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
	if n := strings.Count(html, "data:image/png;base64,"); n != 2 {
		t.Errorf("%d thumbnails stored, want 2 distinct", n)
	}
	if !strings.Contains(html, "thumbIndex = [0,1,0,-1]") {
		t.Error("point-to-thumbnail index missing or wrong")
	}
}
