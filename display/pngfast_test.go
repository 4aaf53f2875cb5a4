package display

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestFastPNGRoundTrips(t *testing.T) {
	img := image.NewRGBA(image.Rect(3, 5, 40, 29)) // offset bounds on purpose
	for y := 5; y < 29; y++ {
		for x := 3; x < 40; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 11), uint8(x * y), 255})
		}
	}
	data, err := encodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds().Dx() != 37 || got.Bounds().Dy() != 24 {
		t.Fatalf("size %v", got.Bounds())
	}
	for y := 0; y < 24; y++ {
		for x := 0; x < 37; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := img.At(x+3, y+5).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d): %v, want %v", x, y, got.At(x, y), img.At(x+3, y+5))
			}
		}
	}
	// transparent images take the standard encoder and keep their alpha
	img.Set(4, 6, color.RGBA{0, 0, 0, 0})
	data, _ = encodePNG(img)
	got, _ = png.Decode(bytes.NewReader(data))
	if _, _, _, a := got.At(1, 1).RGBA(); a != 0 {
		t.Error("alpha lost")
	}
}
