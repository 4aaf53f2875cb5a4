package display

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestChartPNGIsLosslessUpToMaxColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y / 24 * 60), 7, 255}) // 64×2 = 128 colours
		}
	}
	raw, err := encodeChartPNG(img)
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.(*image.Paletted); !ok {
		t.Errorf("decoded %T, want a paletted PNG", back)
	}
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			if r1, g1, b1, _ := back.At(x, y).RGBA(); color.RGBAModel.Convert(back.At(x, y)) != img.At(x, y) {
				t.Fatalf("pixel (%d,%d) is %v %v %v, want %v", x, y, r1>>8, g1>>8, b1>>8, img.At(x, y))
			}
		}
	}
}

func TestChartPNGKeepsFrequentColoursAndMapsRareOnesNearby(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 300, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 300; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if y == 0 {
				c = color.RGBA{uint8(x % 256), uint8(x / 256 * 100), 0, 255} // 300 rare shades
			} else if x < 150 {
				c = color.RGBA{31, 119, 180, 255}
			}
			img.Set(x, y, c)
		}
	}
	p := paletted(img)
	if len(p.Palette) != maxColours {
		t.Errorf("palette of %d colours, want %d", len(p.Palette), maxColours)
	}
	if p.At(10, 10) != (color.RGBA{31, 119, 180, 255}) || p.At(200, 10) != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("frequent colours changed: %v %v", p.At(10, 10), p.At(200, 10))
	}
	// Each rare shade becomes the palette colour nearest to it.
	dist := func(a, b color.RGBA) int {
		return sq(int(a.R)-int(b.R)) + sq(int(a.G)-int(b.G)) + sq(int(a.B)-int(b.B))
	}
	for x := 0; x < 300; x++ {
		want := img.RGBAAt(x, 0)
		got := color.RGBAModel.Convert(p.At(x, 0)).(color.RGBA)
		for _, c := range p.Palette {
			if d := dist(want, c.(color.RGBA)); d < dist(want, got) {
				t.Fatalf("rare colour %v mapped to %v, but %v is nearer", want, got, c)
			}
		}
	}
}

func sq(v int) int { return v * v }
