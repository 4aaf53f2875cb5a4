package display

import (
	"bytes"
	"fmt"
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

func TestPNGOfGreyOrFewColoursIsLosslessAndCompact(t *testing.T) {
	grey := image.NewRGBA(image.Rect(2, 3, 42, 33))
	few := image.NewRGBA(grey.Bounds())
	for y := 3; y < 33; y++ {
		for x := 2; x < 42; x++ {
			v := uint8(x * y)
			grey.Set(x, y, color.RGBA{v, v, v, 255})
			few.Set(x, y, color.RGBA{v % 16, 200, uint8(x % 3), 255}) // 48 colours
		}
	}
	for _, c := range []struct {
		img  *image.RGBA
		want string
	}{{grey, "*image.Gray"}, {few, "*image.Paletted"}} {
		data, err := encodePNG(c.img)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if typ := fmt.Sprintf("%T", got); typ != c.want {
			t.Errorf("decoded a %s, want %s", typ, c.want)
		}
		for y := 0; y < 30; y++ {
			for x := 0; x < 40; x++ {
				if color.RGBAModel.Convert(got.At(x, y)) != c.img.At(x+2, y+3) {
					t.Fatalf("%s: pixel (%d,%d) is %v, want %v", c.want, x, y, got.At(x, y), c.img.At(x+2, y+3))
				}
			}
		}
	}
}
