package display

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func solid(w, h int, c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

func TestImageGridLayout(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	imgs := []image.Image{solid(32, 32, red), solid(32, 32, red), solid(32, 32, red)}
	g := ImageGrid(imgs, 2, []string{"a", "b", "c"})
	b := Render(g)
	img, err := png.Decode(bytes.NewReader(pngBytes(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	// 32-pixel tiles enlarged ×2, two columns, two rows with captions
	wantW := 2*(64+gridPad) + gridPad
	wantH := 2*(64+captionH+gridPad) + gridPad
	if img.Bounds().Dx() != wantW || img.Bounds().Dy() != wantH {
		t.Errorf("grid %v, want %d×%d", img.Bounds().Size(), wantW, wantH)
	}
	if r, g, _, _ := img.At(gridPad+10, gridPad+10).RGBA(); r>>8 != 255 || g != 0 {
		t.Errorf("tile pixel %v, want red", img.At(gridPad+10, gridPad+10))
	}
	if r, _, _, _ := img.At(wantW-10, wantH-30).RGBA(); r>>8 != 255 {
		t.Error("empty fourth cell is not white")
	}
}

func TestNeighbours(t *testing.T) {
	q := solid(16, 16, color.Black)
	nb := []image.Image{solid(16, 16, color.White), solid(16, 16, color.White)}
	g := Neighbours(q, nb, []float64{0.1, 0.2})
	if g.Err() != nil || g.Len() != 3 {
		t.Fatalf("err %v len %d", g.Err(), g.Len())
	}
	img, err := g.Image()
	if err != nil {
		t.Fatal(err)
	}
	// the query's border is red
	if r, gr, _, _ := img.At(gridPad-1, gridPad+5).RGBA(); r>>8 < 200 || gr>>8 > 100 {
		t.Errorf("no highlight border: %v", img.At(gridPad-1, gridPad+5))
	}
	if Neighbours(q, nb, []float64{1}).Err() == nil {
		t.Error("distance count mismatch accepted")
	}
}

func TestImageGridBadInput(t *testing.T) {
	img := solid(4, 4, color.White)
	for name, g := range map[string]*Grid{
		"empty":    ImageGrid(nil, 0, nil),
		"captions": ImageGrid([]image.Image{img}, 0, []string{"a", "b"}),
		"nil":      ImageGrid([]image.Image{img, nil}, 0, nil),
		"cols":     ImageGrid([]image.Image{img}, -1, nil),
	} {
		if g.Err() == nil {
			t.Errorf("%s: no error", name)
		}
		if _, ok := Render(g).Data["image/png"]; ok {
			t.Errorf("%s: drew a PNG", name)
		}
	}
}
