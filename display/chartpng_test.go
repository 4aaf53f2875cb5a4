package display

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func decodeRaw(t *testing.T, raw []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestChartPNGKeepsFlatColoursExactly(t *testing.T) {
	// 200 flat 8×8 blocks, neighbouring ones a step of 4 apart: closer
	// than shadeDistance, yet each is a flat colour and stays exact.
	img := image.NewRGBA(image.Rect(0, 0, 160, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 160; x++ {
			b := y/8*20 + x/8
			img.Set(x, y, color.RGBA{uint8(b * 4 % 256), uint8(b / 64 * 60), 7, 255})
		}
	}
	raw, err := encodeChartPNG(img)
	if err != nil {
		t.Fatal(err)
	}
	back := decodeRaw(t, raw)
	if _, ok := back.(*image.Paletted); !ok {
		t.Errorf("decoded %T, want a paletted PNG", back)
	}
	for y := 0; y < 80; y++ {
		for x := 0; x < 160; x++ {
			if color.RGBAModel.Convert(back.At(x, y)) != img.At(x, y) {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, back.At(x, y), img.At(x, y))
			}
		}
	}
}

func TestChartPNGMergesEdgeShadesIntoNearbyColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 300, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 300; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if y == 0 {
				c = color.RGBA{uint8(x % 256), uint8(x / 256 * 100), 0, 255} // 300 one-pixel shades
			} else if x < 150 {
				c = color.RGBA{31, 119, 180, 255}
			}
			img.Set(x, y, c)
		}
	}
	p := paletted(img)
	if n := len(p.Palette); n > 40 {
		t.Errorf("palette of %d colours; the shades should have merged", n)
	}
	if p.At(10, 10) != (color.RGBA{31, 119, 180, 255}) || p.At(200, 10) != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("flat colours changed: %v %v", p.At(10, 10), p.At(200, 10))
	}
	// Each shade becomes the palette colour nearest to it, within
	// shadeDistance.
	dist := func(a, b color.RGBA) int {
		return distance(rgbKey([]byte{a.R, a.G, a.B}), rgbKey([]byte{b.R, b.G, b.B}))
	}
	for x := 0; x < 300; x++ {
		want := img.RGBAAt(x, 0)
		got := color.RGBAModel.Convert(p.At(x, 0)).(color.RGBA)
		if d := dist(want, got); d > shadeDistance*shadeDistance {
			t.Fatalf("shade %v drawn as %v, %d apart", want, got, d)
		}
		for _, c := range p.Palette {
			if d := dist(want, c.(color.RGBA)); d < dist(want, got) {
				t.Fatalf("shade %v mapped to %v, but %v is nearer", want, got, c)
			}
		}
	}
}

func TestChartPNGOfManyColoursIsLosslessRGB(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 256; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255}) // 20480 colours
		}
	}
	raw, err := encodeChartPNG(img)
	if err != nil {
		t.Fatal(err)
	}
	back := decodeRaw(t, raw)
	if _, ok := back.(*image.Paletted); ok {
		t.Fatal("a photograph-like image was written with a palette")
	}
	for y := 0; y < 80; y++ {
		for x := 0; x < 256; x++ {
			if color.RGBAModel.Convert(back.At(x, y)) != img.At(x, y) {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, back.At(x, y), img.At(x, y))
			}
		}
	}
}

func TestShadeDistanceCountsHueChangesMore(t *testing.T) {
	grey := rgbKey([]byte{128, 128, 128})
	lighter := rgbKey([]byte{140, 140, 140}) // RGB distance 20.8
	tinted := rgbKey([]byte{149, 128, 128})  // RGB distance 21
	if 2*distance(grey, lighter) >= distance(grey, tinted) {
		t.Errorf("lighter %d, tinted %d: a tint should count as further", distance(grey, lighter), distance(grey, tinted))
	}
	if distance(grey, lighter) != 3*12*12 || distance(grey, grey) != 0 {
		t.Errorf("distance along the grey axis is %d, want the squared RGB distance %d", distance(grey, lighter), 3*12*12)
	}
}
