package augment

import (
	"fmt"
	"math"
	"math/rand"

	"gorgonia.org/tensor"
)

// ITU-R 601-2 luma weights, as torchvision's rgb_to_grayscale.
const (
	lumaR = 0.2989
	lumaG = 0.587
	lumaB = 0.114
)

// ColorJitter changes brightness, contrast, saturation and hue by random
// factors, in a random order, with probability P (torchvision's
// RandomApply([ColorJitter(b, c, s, h)], p=P)). A strength s gives a factor
// drawn uniformly from [max(0, 1−s), 1+s] for brightness, contrast and
// saturation and from [−Hue, Hue] for hue; a zero strength leaves that
// adjustment out. On 1-channel images saturation and hue do nothing (as
// torchvision's, which follows PIL); images must have 1 or 3 channels. It
// works in place.
type ColorJitter struct {
	Brightness, Contrast, Saturation, Hue float64
	P                                     float64
}

// JitterParams are one draw of ColorJitter: whether it applies, the order
// of the four adjustments (0 brightness, 1 contrast, 2 saturation, 3 hue:
// torchvision's fn_idx) and their factors. Brightness, Contrast and
// Saturation factors of 1 and a Hue shift of 0 leave the image unchanged
// and are skipped.
type JitterParams struct {
	Apply                                 bool
	Order                                 [4]int
	Brightness, Contrast, Saturation, Hue float64
}

// Validate reports negative strengths, a hue strength over 0.5 or a
// probability outside [0, 1].
func (t ColorJitter) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Brightness", t.Brightness}, {"Contrast", t.Contrast}, {"Saturation", t.Saturation}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("augment: ColorJitter.%s = %g, want a finite strength ≥ 0", f.name, f.v)
		}
	}
	if !(t.Hue >= 0 && t.Hue <= 0.5) {
		return fmt.Errorf("augment: ColorJitter.Hue = %g, want 0 ≤ hue ≤ 0.5", t.Hue)
	}
	return checkProb("ColorJitter", "P", t.P)
}

// Params draws one jitter: first whether it applies, then the order, then
// the factors of the adjustments with non-zero strength.
func (t ColorJitter) Params(rng *rand.Rand) JitterParams {
	p := JitterParams{Order: [4]int{0, 1, 2, 3}, Brightness: 1, Contrast: 1, Saturation: 1}
	if !(rng.Float64() < t.P) {
		return p
	}
	p.Apply = true
	copy(p.Order[:], rng.Perm(4))
	factor := func(s float64) float64 {
		if s == 0 {
			return 1
		}
		return uniform(rng, max(0, 1-s), 1+s)
	}
	p.Brightness = factor(t.Brightness)
	p.Contrast = factor(t.Contrast)
	p.Saturation = factor(t.Saturation)
	if t.Hue > 0 {
		p.Hue = uniform(rng, -t.Hue, t.Hue)
	}
	return p
}

// Apply jitters img in place with probability P and returns it.
func (t ColorJitter) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("ColorJitter")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t.ApplyParams(img, t.Params(rng))
}

// ApplyParams applies one drawn jitter to img in place and returns it.
func (t ColorJitter) ApplyParams(img *tensor.Dense, p JitterParams) (*tensor.Dense, error) {
	im, err := colourImage("ColorJitter", img)
	if err != nil {
		return nil, err
	}
	if !p.Apply {
		return im.dense(img), nil
	}
	if p.Brightness < 0 || p.Contrast < 0 || p.Saturation < 0 || !(p.Hue >= -0.5 && p.Hue <= 0.5) {
		return nil, fmt.Errorf("augment: ColorJitter: params %+v: factors must be ≥ 0 and the hue shift in [-0.5, 0.5]", p)
	}
	seen := [4]bool{}
	for _, fn := range p.Order {
		if fn < 0 || fn > 3 || seen[fn] {
			return nil, fmt.Errorf("augment: ColorJitter: Order %v is not a permutation of 0..3", p.Order)
		}
		seen[fn] = true
	}
	for _, fn := range p.Order {
		switch fn {
		case 0:
			if p.Brightness != 1 {
				adjustBrightness(im, float32(p.Brightness))
			}
		case 1:
			if p.Contrast != 1 {
				adjustContrast(im, float32(p.Contrast))
			}
		case 2:
			if p.Saturation != 1 && im.c == 3 {
				adjustSaturation(im, float32(p.Saturation))
			}
		case 3:
			if p.Hue != 0 && im.c == 3 {
				adjustHue(im, float32(p.Hue))
			}
		}
	}
	return im.dense(img), nil
}

func adjustBrightness(im image, f float32) {
	for i, v := range im.pix {
		im.pix[i] = clamp01(f * v)
	}
}

// adjustContrast blends with the mean grey level of the image.
func adjustContrast(im image, f float32) {
	var sum float64
	n := im.h * im.w
	if im.c == 3 {
		r, g, b := im.pix[:n], im.pix[n:2*n], im.pix[2*n:3*n]
		for i := range n {
			sum += float64(lumaR*r[i] + lumaG*g[i] + lumaB*b[i])
		}
	} else {
		for _, v := range im.pix {
			sum += float64(v)
		}
	}
	mean := float32(sum / float64(n))
	bias := (1 - f) * mean
	for i, v := range im.pix {
		im.pix[i] = clamp01(f*v + bias)
	}
}

// adjustSaturation blends each pixel with its grey level.
func adjustSaturation(im image, f float32) {
	n := im.h * im.w
	r, g, b := im.pix[:n], im.pix[n:2*n], im.pix[2*n:3*n]
	for i := range n {
		grey := (1 - f) * (lumaR*r[i] + lumaG*g[i] + lumaB*b[i])
		r[i] = clamp01(f*r[i] + grey)
		g[i] = clamp01(f*g[i] + grey)
		b[i] = clamp01(f*b[i] + grey)
	}
}

// adjustHue shifts the hue of each pixel through HSV, with torchvision's
// formulas (from Pillow's conversion).
func adjustHue(im image, shift float32) {
	n := im.h * im.w
	rs, gs, bs := im.pix[:n], im.pix[n:2*n], im.pix[2*n:3*n]
	for i := range n {
		h, s, v := rgbToHSV(rs[i], gs[i], bs[i])
		h += shift // in [-0.5, 1.5): Python's % 1 is one step either way
		if h < 0 {
			h++
		} else if h >= 1 {
			h--
		}
		rs[i], gs[i], bs[i] = hsvToRGB(h, s, v)
	}
}

func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc := max(r, g, b)
	minc := min(r, g, b)
	cr := maxc - minc
	if cr == 0 {
		return 0, 0, maxc
	}
	s = cr / maxc
	rc := (maxc - r) / cr
	gc := (maxc - g) / cr
	bc := (maxc - b) / cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	h = h/6 + 1 // in [5/6, 11/6]: fmod(·, 1) drops the integer part, exactly
	if h >= 1 {
		h--
	}
	return h, s, maxc
}

func hsvToRGB(h, s, v float32) (r, g, b float32) {
	i := int(h * 6) // h ≥ 0, so truncation is floor
	f := h*6 - float32(i)
	p := clamp01(v * (1 - s))
	q := clamp01(v * (1 - s*f))
	t := clamp01(v * (1 - s*(1-f)))
	switch i % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	default:
		return v, p, q
	}
}

// RandomGrayscale replaces a 3-channel image by its ITU-R 601-2 luma
// (0.2989 R + 0.587 G + 0.114 B, torchvision's weights) in all three
// channels with probability P, keeping the channel count (torchvision's
// RandomGrayscale). 1-channel images are already grey and stay unchanged.
// It works in place.
type RandomGrayscale struct {
	P float64
}

// Validate reports a probability outside [0, 1].
func (t RandomGrayscale) Validate() error { return checkProb("RandomGrayscale", "P", t.P) }

// Apply greys img in place with probability P and returns it.
func (t RandomGrayscale) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("RandomGrayscale")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := colourImage("RandomGrayscale", img)
	if err != nil {
		return nil, err
	}
	if rng.Float64() < t.P && im.c == 3 {
		n := im.h * im.w
		r, g, b := im.pix[:n], im.pix[n:2*n], im.pix[2*n:3*n]
		for i := range n {
			grey := lumaR*r[i] + lumaG*g[i] + lumaB*b[i]
			r[i], g[i], b[i] = grey, grey, grey
		}
	}
	return im.dense(img), nil
}

// Solarize inverts (v → 1−v) every value at or above Threshold with
// probability P (torchvision's RandomSolarize on float images; BYOL uses
// threshold 0.5). It works in place.
type Solarize struct {
	Threshold float64
	P         float64
}

// Validate reports a threshold outside [0, 1] or a probability outside
// [0, 1].
func (t Solarize) Validate() error {
	if !(t.Threshold >= 0 && t.Threshold <= 1) {
		return fmt.Errorf("augment: Solarize.Threshold = %g, want a value in [0, 1]", t.Threshold)
	}
	return checkProb("Solarize", "P", t.P)
}

// Apply solarizes img in place with probability P and returns it.
func (t Solarize) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("Solarize")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("Solarize", img)
	if err != nil {
		return nil, err
	}
	if rng.Float64() < t.P {
		thr := float32(t.Threshold)
		for i, v := range im.pix {
			if v >= thr {
				im.pix[i] = 1 - v
			}
		}
	}
	return im.dense(img), nil
}

// Normalize maps each channel c to (v − Mean[c]) / Std[c] (torchvision's
// Normalize). Mean and Std have one entry per channel, or one entry for
// all. It works in place and draws nothing from rng. The result leaves
// [0, 1], so put it last.
type Normalize struct {
	Mean, Std []float64
}

// ImageNetNormalize is the normalisation of torchvision's ImageNet models.
func ImageNetNormalize() Normalize {
	return Normalize{Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
}

// Validate reports empty or mismatched Mean and Std, or a zero Std.
func (t Normalize) Validate() error {
	if len(t.Mean) == 0 || len(t.Mean) != len(t.Std) {
		return fmt.Errorf("augment: Normalize: %d means and %d stds, want the same non-zero count", len(t.Mean), len(t.Std))
	}
	for i, s := range t.Std {
		if s == 0 || math.IsNaN(s) {
			return fmt.Errorf("augment: Normalize.Std[%d] = %g, want non-zero", i, s)
		}
	}
	return nil
}

// Apply normalises img in place and returns it.
func (t Normalize) Apply(img *tensor.Dense, _ *rand.Rand) (*tensor.Dense, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("Normalize", img)
	if err != nil {
		return nil, err
	}
	if len(t.Mean) != 1 && len(t.Mean) != im.c {
		return nil, fmt.Errorf("augment: Normalize: %d means for an image of %d channels", len(t.Mean), im.c)
	}
	n := im.h * im.w
	for c := range im.c {
		k := c
		if len(t.Mean) == 1 {
			k = 0
		}
		mean, std := float32(t.Mean[k]), float32(t.Std[k])
		plane := im.pix[c*n : (c+1)*n]
		for i, v := range plane {
			plane[i] = (v - mean) / std
		}
	}
	return im.dense(img), nil
}
