package display

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestTensorText(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	b := Render(x)
	s := b.Data["text/plain"].(string)
	for _, want := range []string{"float64", "(3, 4)", "min 1", "max 12", "[[1 2 3 4]", "[9 10 11 12]]"} {
		if !strings.Contains(s, want) {
			t.Errorf("tensor text lacks %q:\n%s", want, s)
		}
	}
	if _, ok := b.Data["image/png"]; ok {
		t.Error("a 3×4 matrix rendered as an image")
	}
}

func TestBigTensorTextIsAbbreviated(t *testing.T) {
	x := tensor.New(tensor.WithShape(100, 100), tensor.WithBacking(tensor.Range(tensor.Float32, 0, 10000)))
	s := Format(x)
	if !strings.Contains(s, "(100, 100)") || !strings.Contains(s, "…") || strings.Contains(s, " 5050 ") {
		t.Errorf("big tensor not abbreviated:\n%s", s)
	}
	if lines := strings.Count(s, "\n"); lines > 10 {
		t.Errorf("%d lines for a 100×100 tensor", lines)
	}
}

func TestTensorViewUsesLogicalOrder(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	if err := x.T(); err != nil {
		t.Fatal(err)
	}
	s := Format(x)
	if !strings.Contains(s, "[[1 4]") || !strings.Contains(s, "(3, 2)") {
		t.Errorf("transposed view printed wrongly:\n%s", s)
	}
}

func TestImageShapedTensorRendersGrid(t *testing.T) {
	// 4 RGB images 32×32 with values in [0,1]
	data := make([]float32, 4*3*32*32)
	for i := range data {
		data[i] = float32(i%7) / 6
	}
	x := tensor.New(tensor.WithShape(4, 3, 32, 32), tensor.WithBacking(data))
	b := Render(x)
	img, err := png.Decode(bytes.NewReader(pngBytes(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	// 2×2 grid of 32-pixel images enlarged twice, 4-pixel gaps
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 2*(64+gridPad)+gridPad || h != w {
		t.Errorf("grid is %d×%d", w, h)
	}
	if !strings.Contains(b.Data["text/plain"].(string), "(4, 3, 32, 32)") {
		t.Error("text summary missing")
	}
}

func TestTensorImagesLayouts(t *testing.T) {
	tests := []struct {
		shape []int
		n     int
		ok    bool
	}{
		{[]int{3, 8, 8}, 1, true},
		{[]int{1, 8, 8}, 1, true},
		{[]int{8, 8, 3}, 1, true},
		{[]int{5, 8, 8, 1}, 5, true},
		{[]int{100, 1, 28, 28}, maxTensorImages, true},
		{[]int{8, 8}, 0, false},
		{[]int{2, 5, 8, 8}, 0, false},
		{[]int{3, 2, 2}, 0, false},
	}
	for _, tt := range tests {
		size := 1
		for _, d := range tt.shape {
			size *= d
		}
		x := tensor.New(tensor.WithShape(tt.shape...), tensor.WithBacking(make([]float64, size)))
		imgs, err := TensorImages(x)
		if (err == nil) != tt.ok || len(imgs) != tt.n {
			t.Errorf("shape %v: %d images, err %v; want %d, ok %v", tt.shape, len(imgs), err, tt.n, tt.ok)
		}
	}
}

func TestTensorImageValues(t *testing.T) {
	// channels-last uint8 pixels are used as they are
	x := tensor.New(tensor.WithShape(4, 4, 3), tensor.WithBacking(make([]uint8, 48)))
	x.SetAt(uint8(200), 1, 2, 0)
	imgs, err := TensorImages(x)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, _, _ := imgs[0].At(2, 1).RGBA(); r>>8 != 200 || g != 0 {
		t.Errorf("pixel (2,1) = %v, want red 200", imgs[0].At(2, 1))
	}
	// normalised inputs (negative values) are stretched min→0, max→255
	y := tensor.New(tensor.WithShape(1, 4, 4), tensor.WithBacking(make([]float32, 16)))
	y.SetAt(float32(-2), 0, 0, 0)
	y.SetAt(float32(2), 0, 3, 3)
	imgs, _ = TensorImages(y)
	lo, _, _, _ := imgs[0].At(0, 0).RGBA()
	mid, _, _, _ := imgs[0].At(1, 1).RGBA()
	hi, _, _, _ := imgs[0].At(3, 3).RGBA()
	if lo>>8 != 0 || hi>>8 != 255 || mid>>8 < 120 || mid>>8 > 135 {
		t.Errorf("stretch wrong: %d %d %d", lo>>8, mid>>8, hi>>8)
	}
}
