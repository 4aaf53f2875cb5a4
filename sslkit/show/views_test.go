package show

import (
	"bytes"
	"errors"
	"image/png"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/augment"
	"github.com/gossl/gossl/sslkit/data"
)

// memDataset holds generated images: image i is filled with shade i/n in
// channel i%c, so every image differs.
type memDataset struct {
	c, h, w, n int
	failAt     int
}

func (d memDataset) Len() int { return d.n }

func (d memDataset) Item(i int) (*tensor.Dense, int, error) {
	if i == d.failAt {
		return nil, 0, errors.New("corrupt record")
	}
	rng := rand.New(rand.NewSource(int64(i)))
	pix := make([]float32, d.c*d.h*d.w)
	for k := range pix {
		pix[k] = rng.Float32()
	}
	return tensor.New(tensor.WithShape(d.c, d.h, d.w), tensor.WithBacking(pix)), i % 3, nil
}

type namedDataset struct{ memDataset }

func (namedDataset) Classes() []string { return []string{"cat", "dog", "car"} }

func gridPNG(t *testing.T, ds memDataset, v augment.MultiView, n int, seed int64) ([]byte, string) {
	t.Helper()
	g, err := Views(ds, v, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	if want := n * (1 + len(v)); g.Len() != want {
		t.Fatalf("grid of %d images, want %d", g.Len(), want)
	}
	b := g.Render()
	data, ok := b.Data["image/png"].(string)
	if !ok || data == "" {
		t.Fatalf("grid renders no PNG: %v", b.Data["text/plain"])
	}
	img, err := g.Image()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), g.String()
}

func TestViewsGrid(t *testing.T) {
	rgb := memDataset{c: 3, h: 32, w: 32, n: 50, failAt: -1}
	a, desc := gridPNG(t, rgb, augment.SimCLR(32), 4, 1)
	if !strings.Contains(desc, "12 images in 4×3") {
		t.Errorf("grid %q, want 4 rows of image + 2 views", desc)
	}
	b, _ := gridPNG(t, rgb, augment.SimCLR(32), 4, 1)
	if !bytes.Equal(a, b) {
		t.Error("the same seed drew a different grid")
	}
	c, _ := gridPNG(t, rgb, augment.SimCLR(32), 4, 2)
	if bytes.Equal(a, c) {
		t.Error("different seeds drew the same grid")
	}
	gray := memDataset{c: 1, h: 28, w: 28, n: 10, failAt: -1}
	gridPNG(t, gray, augment.SimCLR(28), 3, 1)
	o := augment.DefaultDINOOptions()
	o.GlobalSize, o.LocalSize, o.NumLocal = 28, 12, 3
	dino, err := augment.DINO(o)
	if err != nil {
		t.Fatal(err)
	}
	gridPNG(t, gray, dino, 2, 1)
	// Normalised views are stretched for display, not rejected.
	gridPNG(t, rgb, augment.SimCLR(32).Then(augment.ImageNetNormalize()), 2, 1)
}

func TestViewsCaptions(t *testing.T) {
	ds := namedDataset{memDataset{c: 3, h: 8, w: 8, n: 3, failAt: -1}}
	g, err := Views(ds, augment.Views(1, augment.Resize{Height: 8, Width: 8}), 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	// n beyond the dataset shows every image once.
	if g.Len() != 6 {
		t.Fatalf("grid of %d images, want 3 images + 3 views", g.Len())
	}
}

func TestViewsErrors(t *testing.T) {
	ds := memDataset{c: 3, h: 16, w: 16, n: 4, failAt: -1}
	run := func(ds data.Dataset, v data.Viewer, n int) error {
		_, err := Views(ds, v, n, 1)
		return err
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"zero n", run(ds, augment.SimCLR(16), 0), "at least 1"},
		{"empty", run(memDataset{c: 3, h: 16, w: 16, n: 0}, augment.SimCLR(16), 2), "empty"},
		{"bad item", run(memDataset{c: 3, h: 16, w: 16, n: 4, failAt: 2}, augment.SimCLR(16), 4), "item 2: corrupt record"},
		{"bad viewer", run(ds, augment.SimCLR(0), 2), "output size 0×0"},
		{"two channels", run(memDataset{c: 2, h: 16, w: 16, n: 4, failAt: -1}, augment.Views(1, augment.Resize{Height: 8, Width: 8}), 2), "not image-shaped"},
		{"nil dataset", run(nil, augment.SimCLR(16), 2), "nil dataset"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, c.err, c.want)
		}
	}
}
