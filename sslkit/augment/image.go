package augment

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// image is the (C, H, W) float32 layout of a tensor, read without copying.
type image struct {
	c, h, w int
	pix     []float32 // c*h*w values, row-major
}

// imageOf checks that img is a (C, H, W) float32 image and returns its
// pixels. A view or strided tensor is materialised (copied) first, so the
// returned pixels always have the dense (C, H, W) layout.
func imageOf(op string, img *tensor.Dense) (image, error) {
	if img == nil {
		return image{}, fmt.Errorf("augment: %s: nil image", op)
	}
	if img.Dtype() != tensor.Float32 {
		return image{}, fmt.Errorf("augment: %s: image dtype %v, want float32", op, img.Dtype())
	}
	s := img.Shape()
	if len(s) != 3 || s[0] < 1 || s[1] < 1 || s[2] < 1 {
		return image{}, fmt.Errorf("augment: %s: image of shape %v, want (C, H, W)", op, s)
	}
	if img.IsView() || img.RequiresIterator() {
		m, ok := img.Materialize().(*tensor.Dense)
		if !ok {
			return image{}, fmt.Errorf("augment: %s: cannot materialise the image view", op)
		}
		img = m
	}
	pix, ok := img.Data().([]float32)
	if !ok || len(pix) != s[0]*s[1]*s[2] {
		return image{}, fmt.Errorf("augment: %s: image data of %d values for shape %v", op, len(pix), s)
	}
	return image{c: s[0], h: s[1], w: s[2], pix: pix}, nil
}

// colourImage is imageOf for the colour operations, which need 1 or 3
// channels (as torchvision's).
func colourImage(op string, img *tensor.Dense) (image, error) {
	im, err := imageOf(op, img)
	if err == nil && im.c != 1 && im.c != 3 {
		err = fmt.Errorf("augment: %s: image has %d channels, want 1 or 3", op, im.c)
	}
	return im, err
}

// newImage allocates a (c, h, w) image tensor.
func newImage(c, h, w int) (*tensor.Dense, []float32) {
	pix := make([]float32, c*h*w)
	return tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(pix)), pix
}

// dense wraps the pixels of an image as a tensor; when im came from img
// unchanged, img itself is returned so callers keep their tensor.
func (im image) dense(img *tensor.Dense) *tensor.Dense {
	if d, ok := img.Data().([]float32); ok && len(d) > 0 && len(im.pix) > 0 && &d[0] == &im.pix[0] {
		return img
	}
	return tensor.New(tensor.WithShape(im.c, im.h, im.w), tensor.WithBacking(im.pix))
}

// cloneImage copies img into a new dense tensor.
func cloneImage(img *tensor.Dense) (*tensor.Dense, error) {
	im, err := imageOf("copy", img)
	if err != nil {
		return nil, err
	}
	out, pix := newImage(im.c, im.h, im.w)
	copy(pix, im.pix)
	return out, nil
}

func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// checkProb reports a probability outside [0, 1] (NaN included).
func checkProb(op, field string, p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("augment: %s.%s = %g, want a probability in [0, 1]", op, field, p)
	}
	return nil
}

// checkRange reports a (min, max) range that is not lo ≤ min ≤ max ≤ hi
// with min > lo when open is set.
func checkRange(op, field string, r [2]float64, lo, hi float64, open bool) error {
	ok := r[0] <= r[1] && r[0] >= lo && r[1] <= hi
	if open && r[0] <= lo {
		ok = false
	}
	if !ok || math.IsNaN(r[0]) || math.IsNaN(r[1]) {
		rel := "≤"
		if open {
			rel = "<"
		}
		if math.IsInf(hi, 1) {
			return fmt.Errorf("augment: %s.%s = %v, want %g %s min ≤ max", op, field, r, lo, rel)
		}
		return fmt.Errorf("augment: %s.%s = %v, want %g %s min ≤ max ≤ %g", op, field, r, lo, rel, hi)
	}
	return nil
}

// uniform draws from [lo, hi).
func uniform(rng interface{ Float64() float64 }, lo, hi float64) float64 {
	return lo + (hi-lo)*rng.Float64()
}

func errNilRNG(op string) error {
	return fmt.Errorf("augment: %s: nil rng (pass a seeded *rand.Rand)", op)
}
