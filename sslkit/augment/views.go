package augment

import (
	"fmt"
	"math"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/data"
)

// MultiView is a data.Viewer: view i is the i-th transform applied to the
// image (to a copy of it when the transform could modify its input), all
// drawing in turn from one rng.
type MultiView []Transform

var _ data.Viewer = MultiView(nil)

// Views returns a MultiView of n views by the same transform (SimCLR's
// "two views of one recipe" is Views(2, t)).
func Views(n int, t Transform) MultiView {
	m := make(MultiView, max(n, 0))
	for i := range m {
		m[i] = t
	}
	return m
}

// TwoViews returns the two-view MultiView of an asymmetric recipe (BYOL's).
func TwoViews(t1, t2 Transform) MultiView { return MultiView{t1, t2} }

// Views applies each transform to img and returns the views in order.
// img itself is never modified.
func (m MultiView) Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error) {
	if len(m) == 0 {
		return nil, fmt.Errorf("augment: MultiView has no transforms")
	}
	if rng == nil {
		return nil, fmt.Errorf("augment: MultiView.Views: nil rng")
	}
	views := make([]*tensor.Dense, len(m))
	for i, t := range m {
		if t == nil {
			return nil, fmt.Errorf("augment: MultiView: view %d has a nil transform", i)
		}
		in := img
		if !isFresh(t) {
			var err error
			if in, err = cloneImage(img); err != nil {
				return nil, err
			}
		}
		v, err := t.Apply(in, rng)
		if err != nil {
			return nil, fmt.Errorf("view %d: %w", i, err)
		}
		views[i] = v
	}
	return views, nil
}

// Then appends t (Normalize, typically) to every view's transform.
func (m MultiView) Then(t Transform) MultiView {
	out := make(MultiView, len(m))
	for i, v := range m {
		out[i] = Compose{v, t}
	}
	return out
}

// Validate checks every view's transform (see Compose.Validate).
func (m MultiView) Validate() error {
	if len(m) == 0 {
		return fmt.Errorf("augment: MultiView has no transforms")
	}
	for i, t := range m {
		if t == nil {
			return fmt.Errorf("augment: MultiView: view %d has a nil transform", i)
		}
		if err := validate(t); err != nil {
			return fmt.Errorf("augment: view %d: %w", i, err)
		}
	}
	return nil
}

// ViewOptions is the recipe of one view as SimCLR, BYOL and DINO write it:
// random resized crop, horizontal flip, colour jitter, grayscale, Gaussian
// blur, solarize, in that order. A probability of 0 leaves its step out
// (literal zero means zero); start from SimCLRViewOptions or
// BYOLViewOptions and change fields.
type ViewOptions struct {
	Size       int        // output side of the square crop
	Scale      [2]float64 // crop area fraction (min, max)
	Ratio      [2]float64 // crop aspect ratio (min, max)
	FlipP      float64    // horizontal flip probability
	Jitter     ColorJitter
	GrayscaleP float64
	Blur       GaussianBlur // Blur.P 0: no blur
	Solarize   Solarize     // Solarize.P 0: no solarize
}

// Transform builds the view's pipeline.
func (o ViewOptions) Transform() Compose {
	c := Compose{RandomResizedCrop{Height: o.Size, Width: o.Size, Scale: o.Scale, Ratio: o.Ratio}}
	if o.FlipP != 0 {
		c = append(c, HorizontalFlip{P: o.FlipP})
	}
	if o.Jitter.P != 0 {
		c = append(c, o.Jitter)
	}
	if o.GrayscaleP != 0 {
		c = append(c, RandomGrayscale{P: o.GrayscaleP})
	}
	if o.Blur.P != 0 {
		c = append(c, o.Blur)
	}
	if o.Solarize.P != 0 {
		c = append(c, o.Solarize)
	}
	return c
}

// largeImage is the side above which the recipes blur: SimCLR and BYOL
// blur ImageNet crops (224) but not CIFAR's (32), and solo-learn's CIFAR
// recipes drop blur too, since σ up to 2 wipes out a 32-pixel image.
const largeImage = 64

// BlurKernelSize is the SimCLR paper's blur kernel for a side of size
// pixels: 10% of the side, made odd, at least 3 (23 for 224, 9 for 96).
func BlurKernelSize(size int) int {
	k := size / 10
	if k%2 == 0 {
		k++
	}
	return max(k, 3)
}

// SimCLRViewOptions is one view of SimCLR (Chen et al. 2020, appendix A):
//
//	                 here                     paper
//	crop             size, scale (0.08, 1)    224, (0.08, 1), ratio (3/4, 4/3)
//	flip             p 0.5                    p 0.5
//	colour jitter    (0.4, 0.4, 0.4, 0.1)     s=1: (0.8, 0.8, 0.8, 0.2) ImageNet;
//	                 p 0.8                    s=0.5: (0.4, 0.4, 0.4, 0.1) CIFAR; p 0.8
//	grayscale        p 0.2                    p 0.2
//	blur             size > 64: p 0.5,        ImageNet: p 0.5, kernel 10% of side,
//	                 kernel BlurKernelSize,   σ (0.1, 2.0); CIFAR: none
//	                 σ (0.1, 2.0)
//
// The jitter strength is the paper's s = 0.5 (lightly's default); set
// Jitter for s = 1. Views stay in [0, 1]: add Normalize with Then.
func SimCLRViewOptions(size int) ViewOptions {
	o := ViewOptions{
		Size:       size,
		Scale:      [2]float64{0.08, 1},
		Ratio:      DefaultRatio,
		FlipP:      0.5,
		Jitter:     ColorJitter{Brightness: 0.4, Contrast: 0.4, Saturation: 0.4, Hue: 0.1, P: 0.8},
		GrayscaleP: 0.2,
	}
	if size > largeImage {
		o.Blur = GaussianBlur{KernelSize: BlurKernelSize(size), Sigma: [2]float64{0.1, 2}, P: 0.5}
	}
	return o
}

// SimCLR returns SimCLR's two views of one recipe (SimCLRViewOptions) at
// size×size. An invalid size is reported by Views.
func SimCLR(size int) MultiView {
	return Views(2, SimCLRViewOptions(size).Transform())
}

// BYOLViewOptions are BYOL's two asymmetric views (Grill et al. 2020,
// table 6):
//
//	                 view 1 / view 2 here     paper
//	crop             size, scale (0.08, 1)    224, (0.08, 1), ratio (3/4, 4/3)
//	flip             p 0.5                    p 0.5
//	colour jitter    (0.4, 0.4, 0.2, 0.1)     (0.4, 0.4, 0.2, 0.1), p 0.8
//	                 p 0.8
//	grayscale        p 0.2                    p 0.2
//	blur             size > 64: p 1.0 / 0.1,  p 1.0 / 0.1, kernel 23, σ (0.1, 2.0)
//	                 kernel BlurKernelSize    (no blur on CIFAR, as solo-learn)
//	solarize         threshold 0.5, p 0 / 0.2 p 0 / 0.2
func BYOLViewOptions(size int) [2]ViewOptions {
	base := ViewOptions{
		Size:       size,
		Scale:      [2]float64{0.08, 1},
		Ratio:      DefaultRatio,
		FlipP:      0.5,
		Jitter:     ColorJitter{Brightness: 0.4, Contrast: 0.4, Saturation: 0.2, Hue: 0.1, P: 0.8},
		GrayscaleP: 0.2,
	}
	v1, v2 := base, base
	if size > largeImage {
		blur := GaussianBlur{KernelSize: BlurKernelSize(size), Sigma: [2]float64{0.1, 2}}
		v1.Blur, v2.Blur = blur, blur
		v1.Blur.P, v2.Blur.P = 1.0, 0.1
	}
	v2.Solarize = Solarize{Threshold: 0.5, P: 0.2}
	return [2]ViewOptions{v1, v2}
}

// BYOL returns BYOL's two asymmetric views (BYOLViewOptions) at
// size×size. An invalid size is reported by Views.
func BYOL(size int) MultiView {
	o := BYOLViewOptions(size)
	return TwoViews(o[0].Transform(), o[1].Transform())
}

// DINOOptions configure DINO's multi-crop (Caron et al. 2021): two global
// crops and NumLocal smaller local crops, each with DINO's flip, jitter and
// grayscale; blur p 1.0 on the first global crop, 0.1 on the second, 0.5 on
// local crops; solarize on the second global crop only. Zero means zero;
// start from DefaultDINOOptions.
type DINOOptions struct {
	GlobalSize, LocalSize   int
	NumLocal                int
	GlobalScale, LocalScale [2]float64
	Ratio                   [2]float64
	FlipP                   float64
	Jitter                  ColorJitter
	GrayscaleP              float64
	// Blur kernels are BlurKernelSize of each crop's side; σ is drawn
	// from BlurSigma.
	BlurSigma         [2]float64
	GlobalBlurP       [2]float64
	LocalBlurP        float64
	SolarizeThreshold float64
	GlobalSolarizeP   [2]float64
}

// DefaultDINOOptions is the recipe of DINO's repository (main_dino.py,
// DataAugmentationDINO):
//
//	                 here                      DINO
//	global crops     2 × 224, scale (0.4, 1)   2 × 224, (0.4, 1), bicubic
//	local crops      8 × 96, scale (0.05, 0.4) 8 × 96, (0.05, 0.4), bicubic
//	flip             p 0.5                     p 0.5
//	colour jitter    (0.4, 0.4, 0.2, 0.1) p 0.8  same
//	grayscale        p 0.2                     p 0.2
//	blur             p 1.0 / 0.1 / 0.5 local,  same p, PIL radius σ (0.1, 2.0)
//	                 σ (0.1, 2.0), kernel 10%
//	solarize         p 0 / 0.2, threshold 0.5  same (PIL threshold 128)
//
// Interpolation is bilinear here. For small images set GlobalSize and
// LocalSize (e.g. 32 and 16 for CIFAR) and the blur probabilities.
func DefaultDINOOptions() DINOOptions {
	return DINOOptions{
		GlobalSize:        224,
		LocalSize:         96,
		NumLocal:          8,
		GlobalScale:       [2]float64{0.4, 1},
		LocalScale:        [2]float64{0.05, 0.4},
		Ratio:             DefaultRatio,
		FlipP:             0.5,
		Jitter:            ColorJitter{Brightness: 0.4, Contrast: 0.4, Saturation: 0.2, Hue: 0.1, P: 0.8},
		GrayscaleP:        0.2,
		BlurSigma:         [2]float64{0.1, 2},
		GlobalBlurP:       [2]float64{1, 0.1},
		LocalBlurP:        0.5,
		SolarizeThreshold: 0.5,
		GlobalSolarizeP:   [2]float64{0, 0.2},
	}
}

func (o DINOOptions) view(size int, scale [2]float64, blurP, solarizeP float64) ViewOptions {
	return ViewOptions{
		Size: size, Scale: scale, Ratio: o.Ratio, FlipP: o.FlipP, Jitter: o.Jitter, GrayscaleP: o.GrayscaleP,
		Blur:     GaussianBlur{KernelSize: BlurKernelSize(size), Sigma: o.BlurSigma, P: blurP},
		Solarize: Solarize{Threshold: o.SolarizeThreshold, P: solarizeP},
	}
}

// DINO returns DINO's multi-crop views: the two global crops first, then
// NumLocal local crops. Invalid options give an error naming the field.
func DINO(o DINOOptions) (MultiView, error) {
	if o.GlobalSize < 1 {
		return nil, fmt.Errorf("augment: DINOOptions.GlobalSize = %d, want > 0", o.GlobalSize)
	}
	if o.NumLocal < 0 {
		return nil, fmt.Errorf("augment: DINOOptions.NumLocal = %d, want ≥ 0", o.NumLocal)
	}
	if o.NumLocal > 0 && o.LocalSize < 1 {
		return nil, fmt.Errorf("augment: DINOOptions.LocalSize = %d, want > 0 with %d local crops", o.LocalSize, o.NumLocal)
	}
	if err := checkRange("DINOOptions", "GlobalScale", o.GlobalScale, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("DINOOptions", "LocalScale", o.LocalScale, 0, 1, true); err != nil && o.NumLocal > 0 {
		return nil, err
	}
	if err := checkRange("DINOOptions", "BlurSigma", o.BlurSigma, 0, math.Inf(1), true); err != nil {
		return nil, err
	}
	if err := checkRange("DINOOptions", "Ratio", o.Ratio, 0, math.Inf(1), true); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name string
		v    float64
	}{
		{"FlipP", o.FlipP}, {"Jitter.P", o.Jitter.P}, {"GrayscaleP", o.GrayscaleP},
		{"GlobalBlurP[0]", o.GlobalBlurP[0]}, {"GlobalBlurP[1]", o.GlobalBlurP[1]}, {"LocalBlurP", o.LocalBlurP},
		{"GlobalSolarizeP[0]", o.GlobalSolarizeP[0]}, {"GlobalSolarizeP[1]", o.GlobalSolarizeP[1]},
	} {
		if err := checkProb("DINOOptions", p.name, p.v); err != nil {
			return nil, err
		}
	}
	if err := o.Jitter.Validate(); err != nil {
		return nil, fmt.Errorf("augment: DINOOptions.Jitter: %w", err)
	}
	if err := (Solarize{Threshold: o.SolarizeThreshold}).Validate(); err != nil {
		return nil, fmt.Errorf("augment: DINOOptions.SolarizeThreshold: %w", err)
	}
	m := MultiView{
		o.view(o.GlobalSize, o.GlobalScale, o.GlobalBlurP[0], o.GlobalSolarizeP[0]).Transform(),
		o.view(o.GlobalSize, o.GlobalScale, o.GlobalBlurP[1], o.GlobalSolarizeP[1]).Transform(),
	}
	local := o.view(o.LocalSize, o.LocalScale, o.LocalBlurP, 0).Transform()
	for range o.NumLocal {
		m = append(m, local)
	}
	return m, m.Validate()
}
