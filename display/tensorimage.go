package display

import (
	"fmt"
	"image"
	"image/color"

	"gorgonia.org/tensor"
)

// maxTensorImages caps how many images of a batch a tensor renders.
const maxTensorImages = 64

// TensorImages turns an image-shaped tensor into images: (C,H,W) or
// (N,C,H,W) with C = 1 or 3, or channels-last (H,W,C) / (N,H,W,C). Values
// in [0,1] are scaled to [0,255]; uint8 values are used as they are; other
// ranges (normalised inputs) are stretched per image from min to max. At
// most 64 images of a batch are returned. Other shapes give an error.
func TensorImages(t tensor.Tensor) ([]image.Image, error) {
	if t == nil || isNilPointer(t) {
		return nil, fmt.Errorf("display: nil tensor")
	}
	layout, ok := imageLayout([]int(t.Shape()))
	if !ok {
		return nil, fmt.Errorf("display: tensor of shape %v is not image-shaped", t.Shape())
	}
	vals, err := tensorValues(t)
	if err != nil {
		return nil, fmt.Errorf("display: %w", err)
	}
	n := layout.n
	if n > maxTensorImages {
		n = maxTensorImages
	}
	_, isBytes := t.Data().([]uint8)
	lo, hi, _ := stats(vals)
	unit := lo >= 0 && hi <= 1
	per := layout.c * layout.h * layout.w
	imgs := make([]image.Image, 0, n)
	for k := 0; k < n; k++ {
		part := vals[k*per : (k+1)*per]
		scale, shift := 255.0, 0.0
		switch {
		case isBytes:
			scale = 1
		case unit:
		default:
			plo, phi, _ := stats(part)
			if phi > plo {
				scale, shift = 255/(phi-plo), plo
			}
		}
		imgs = append(imgs, layout.image(part, scale, shift))
	}
	return imgs, nil
}

type imgLayout struct {
	n, c, h, w int
	last       bool // channels-last
}

func isChannels(c int) bool { return c == 1 || c == 3 }

func imageLayout(s []int) (imgLayout, bool) {
	const minSide = 4
	ok := func(h, w int) bool { return h >= minSide && w >= minSide }
	switch len(s) {
	case 3:
		if isChannels(s[0]) && ok(s[1], s[2]) {
			return imgLayout{1, s[0], s[1], s[2], false}, true
		}
		if isChannels(s[2]) && ok(s[0], s[1]) {
			return imgLayout{1, s[2], s[0], s[1], true}, true
		}
	case 4:
		if s[0] < 1 {
			return imgLayout{}, false
		}
		if isChannels(s[1]) && ok(s[2], s[3]) {
			return imgLayout{s[0], s[1], s[2], s[3], false}, true
		}
		if isChannels(s[3]) && ok(s[1], s[2]) {
			return imgLayout{s[0], s[3], s[1], s[2], true}, true
		}
	}
	return imgLayout{}, false
}

// image builds one image from its c*h*w values mapped by (v-shift)*scale.
func (l imgLayout) image(vals []float64, scale, shift float64) image.Image {
	at := func(c, y, x int) uint8 {
		var v float64
		if l.last {
			v = vals[(y*l.w+x)*l.c+c]
		} else {
			v = vals[(c*l.h+y)*l.w+x]
		}
		v = (v - shift) * scale
		switch {
		case v != v || v < 0: // NaN shows black
			return 0
		case v > 255:
			return 255
		}
		return uint8(v + 0.5)
	}
	r := image.Rect(0, 0, l.w, l.h)
	if l.c == 1 {
		img := image.NewGray(r)
		for y := 0; y < l.h; y++ {
			for x := 0; x < l.w; x++ {
				img.SetGray(x, y, color.Gray{Y: at(0, y, x)})
			}
		}
		return img
	}
	img := image.NewRGBA(r)
	for y := 0; y < l.h; y++ {
		for x := 0; x < l.w; x++ {
			img.SetRGBA(x, y, color.RGBA{at(0, y, x), at(1, y, x), at(2, y, x), 255})
		}
	}
	return img
}
