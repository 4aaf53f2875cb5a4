package augment

import (
	"fmt"
	"math"
	"math/rand"

	"gorgonia.org/tensor"
)

// Crop is a rectangle of an image in pixels: rows Top..Top+Height-1 and
// columns Left..Left+Width-1 (torchvision's i, j, h, w).
type Crop struct {
	Top, Left, Height, Width int
}

// RandomResizedCrop crops a random part of the image and resizes it to
// Height×Width with bilinear interpolation, as torchvision's
// RandomResizedCrop: the crop's area is a fraction of the image's drawn
// uniformly from Scale, its aspect ratio (width/height) is drawn
// log-uniformly from Ratio; after 10 draws that do not fit it falls back to
// the largest central crop within Ratio. Interpolation is torchvision's on
// tensors (align_corners=False, no antialiasing — torchvision 0.14's default
// for tensors; PIL images are antialiased when shrunk, so views of PIL
// inputs are slightly smoother than these).
type RandomResizedCrop struct {
	Height, Width int
	Scale         [2]float64 // area fraction (min, max); torchvision's default (0.08, 1)
	Ratio         [2]float64 // aspect ratio (min, max); torchvision's default (3/4, 4/3)
}

// DefaultRatio is torchvision's aspect-ratio range for RandomResizedCrop.
var DefaultRatio = [2]float64{3.0 / 4.0, 4.0 / 3.0}

// NewRandomResizedCrop returns a square size×size crop with area range
// scale and torchvision's aspect-ratio range (3/4, 4/3).
func NewRandomResizedCrop(size int, scale [2]float64) RandomResizedCrop {
	return RandomResizedCrop{Height: size, Width: size, Scale: scale, Ratio: DefaultRatio}
}

// Validate reports a non-positive size or an invalid scale or ratio range.
func (t RandomResizedCrop) Validate() error {
	if t.Height < 1 || t.Width < 1 {
		return fmt.Errorf("augment: RandomResizedCrop output size %d×%d, want positive", t.Height, t.Width)
	}
	if err := checkRange("RandomResizedCrop", "Scale", t.Scale, 0, 1, true); err != nil {
		return err
	}
	return checkRange("RandomResizedCrop", "Ratio", t.Ratio, 0, math.Inf(1), true)
}

// Params draws the crop for an h×w image, as torchvision's get_params.
func (t RandomResizedCrop) Params(h, w int, rng *rand.Rand) Crop {
	area := float64(h * w)
	logLo, logHi := math.Log(t.Ratio[0]), math.Log(t.Ratio[1])
	for range 10 {
		target := area * uniform(rng, t.Scale[0], t.Scale[1])
		aspect := math.Exp(uniform(rng, logLo, logHi))
		cw := int(math.RoundToEven(math.Sqrt(target * aspect)))
		ch := int(math.RoundToEven(math.Sqrt(target / aspect)))
		if 0 < cw && cw <= w && 0 < ch && ch <= h {
			top := rng.Intn(h - ch + 1)
			left := rng.Intn(w - cw + 1)
			return Crop{Top: top, Left: left, Height: ch, Width: cw}
		}
	}
	// Fallback: the central crop with the nearest allowed aspect ratio.
	inRatio := float64(w) / float64(h)
	cw, ch := w, h
	switch {
	case inRatio < t.Ratio[0]:
		ch = int(math.RoundToEven(float64(cw) / t.Ratio[0]))
	case inRatio > t.Ratio[1]:
		cw = int(math.RoundToEven(float64(ch) * t.Ratio[1]))
	}
	return Crop{Top: (h - ch) / 2, Left: (w - cw) / 2, Height: ch, Width: cw}
}

// Apply crops and resizes img into a new tensor.
func (t RandomResizedCrop) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("RandomResizedCrop")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("RandomResizedCrop", img)
	if err != nil {
		return nil, err
	}
	return resizedCrop("RandomResizedCrop", im, t.Params(im.h, im.w, rng), t.Height, t.Width)
}

// ApplyParams crops img to c and resizes it, without drawing anything: the
// deterministic half of Apply, for tests and for reusing one crop.
func (t RandomResizedCrop) ApplyParams(img *tensor.Dense, c Crop) (*tensor.Dense, error) {
	if t.Height < 1 || t.Width < 1 {
		return nil, fmt.Errorf("augment: RandomResizedCrop output size %d×%d, want positive", t.Height, t.Width)
	}
	im, err := imageOf("RandomResizedCrop", img)
	if err != nil {
		return nil, err
	}
	return resizedCrop("RandomResizedCrop", im, c, t.Height, t.Width)
}

func (RandomResizedCrop) freshOutput() bool { return true }

func resizedCrop(op string, im image, c Crop, outH, outW int) (*tensor.Dense, error) {
	if c.Height < 1 || c.Width < 1 || c.Top < 0 || c.Left < 0 || c.Top+c.Height > im.h || c.Left+c.Width > im.w {
		return nil, fmt.Errorf("augment: %s: crop %+v outside the %d×%d image", op, c, im.h, im.w)
	}
	out, pix := newImage(im.c, outH, outW)
	bilinear(pix, im, c, outH, outW)
	return out, nil
}

// axisWeights holds, for each output index, the two source indices and
// their weights of PyTorch's bilinear interpolation (align_corners=False).
type axisWeights struct {
	i0, i1 []int
	l0, l1 []float32
}

func linearWeights(in, out int) axisWeights {
	idx, wts := make([]int, 2*out), make([]float32, 2*out)
	a := axisWeights{idx[:out], idx[out:], wts[:out], wts[out:]}
	scale := float32(in) / float32(out)
	for d := range out {
		src := scale*(float32(d)+0.5) - 0.5
		if src < 0 {
			src = 0
		}
		i0 := min(int(src), in-1)
		lambda := min(max(src-float32(i0), 0), 1)
		a.i0[d] = i0
		a.i1[d] = i0
		if i0 < in-1 {
			a.i1[d] = i0 + 1
		}
		a.l0[d], a.l1[d] = 1-lambda, lambda
	}
	return a
}

// bilinear resizes the crop c of im to outH×outW into dst.
func bilinear(dst []float32, im image, c Crop, outH, outW int) {
	if c.Height == outH && c.Width == outW { // scale 1: a plain copy
		for ch := range im.c {
			for y := range outH {
				src := im.pix[(ch*im.h+c.Top+y)*im.w+c.Left:]
				copy(dst[(ch*outH+y)*outW:(ch*outH+y+1)*outW], src[:outW])
			}
		}
		return
	}
	ys := linearWeights(c.Height, outH)
	xs := linearWeights(c.Width, outW)
	for ch := range im.c {
		plane := im.pix[ch*im.h*im.w:]
		for y := range outH {
			r0 := plane[(c.Top+ys.i0[y])*im.w+c.Left:]
			r1 := plane[(c.Top+ys.i1[y])*im.w+c.Left:]
			wy0, wy1 := ys.l0[y], ys.l1[y]
			row := dst[(ch*outH+y)*outW : (ch*outH+y+1)*outW]
			for x := range row {
				x0, x1 := xs.i0[x], xs.i1[x]
				wx0, wx1 := xs.l0[x], xs.l1[x]
				row[x] = wy0*(wx0*r0[x0]+wx1*r0[x1]) + wy1*(wx0*r1[x0]+wx1*r1[x1])
			}
		}
	}
}

// Resize resizes the image to exactly Height×Width with bilinear
// interpolation (torchvision's Resize((h, w)) on tensors, no antialiasing).
type Resize struct {
	Height, Width int
}

// Apply resizes img into a new tensor; it draws nothing from rng.
func (t Resize) Apply(img *tensor.Dense, _ *rand.Rand) (*tensor.Dense, error) {
	if t.Height < 1 || t.Width < 1 {
		return nil, fmt.Errorf("augment: Resize to %d×%d, want a positive size", t.Height, t.Width)
	}
	im, err := imageOf("Resize", img)
	if err != nil {
		return nil, err
	}
	return resizedCrop("Resize", im, Crop{0, 0, im.h, im.w}, t.Height, t.Width)
}

// Validate reports a non-positive size.
func (t Resize) Validate() error {
	if t.Height < 1 || t.Width < 1 {
		return fmt.Errorf("augment: Resize to %d×%d, want a positive size", t.Height, t.Width)
	}
	return nil
}

func (Resize) freshOutput() bool { return true }

// ResizeShorter resizes the image so that its shorter side is Size,
// keeping the aspect ratio (torchvision's Resize(size) with an int: the
// longer side becomes int(Size·long/short)).
type ResizeShorter struct {
	Size int
}

// Apply resizes img into a new tensor; it draws nothing from rng.
func (t ResizeShorter) Apply(img *tensor.Dense, _ *rand.Rand) (*tensor.Dense, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("ResizeShorter", img)
	if err != nil {
		return nil, err
	}
	short, long := im.h, im.w
	if im.w <= im.h {
		short, long = im.w, im.h
	}
	newLong := int(float64(t.Size) * float64(long) / float64(short))
	oh, ow := t.Size, newLong
	if im.w <= im.h {
		oh, ow = newLong, t.Size
	}
	return resizedCrop("ResizeShorter", im, Crop{0, 0, im.h, im.w}, oh, ow)
}

// Validate reports a non-positive size.
func (t ResizeShorter) Validate() error {
	if t.Size < 1 {
		return fmt.Errorf("augment: ResizeShorter to %d, want a positive size", t.Size)
	}
	return nil
}

func (ResizeShorter) freshOutput() bool { return true }

// CenterCrop cuts the central Height×Width part of the image, padding with
// zeros where the image is smaller (torchvision's CenterCrop).
type CenterCrop struct {
	Height, Width int
}

// Validate reports a non-positive size.
func (t CenterCrop) Validate() error {
	if t.Height < 1 || t.Width < 1 {
		return fmt.Errorf("augment: CenterCrop to %d×%d, want a positive size", t.Height, t.Width)
	}
	return nil
}

// Apply crops img into a new tensor; it draws nothing from rng.
func (t CenterCrop) Apply(img *tensor.Dense, _ *rand.Rand) (*tensor.Dense, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("CenterCrop", img)
	if err != nil {
		return nil, err
	}
	// torchvision pads first (left/top get the smaller half), then crops
	// at round((H' - h) / 2) of the padded image.
	padTop, padLeft := 0, 0
	ph, pw := im.h, im.w
	if t.Height > im.h {
		padTop, ph = (t.Height-im.h)/2, t.Height
	}
	if t.Width > im.w {
		padLeft, pw = (t.Width-im.w)/2, t.Width
	}
	top := int(math.RoundToEven(float64(ph-t.Height) / 2))
	left := int(math.RoundToEven(float64(pw-t.Width) / 2))
	out, pix := newImage(im.c, t.Height, t.Width)
	for ch := range im.c {
		for y := range t.Height {
			sy := top + y - padTop
			if sy < 0 || sy >= im.h {
				continue
			}
			for x := range t.Width {
				sx := left + x - padLeft
				if sx >= 0 && sx < im.w {
					pix[(ch*t.Height+y)*t.Width+x] = im.pix[(ch*im.h+sy)*im.w+sx]
				}
			}
		}
	}
	return out, nil
}

func (CenterCrop) freshOutput() bool { return true }

// HorizontalFlip mirrors the image left-right with probability P
// (torchvision's RandomHorizontalFlip; P 0.5 is the usual choice). It flips
// in place.
type HorizontalFlip struct {
	P float64
}

// Validate reports a probability outside [0, 1].
func (t HorizontalFlip) Validate() error { return checkProb("HorizontalFlip", "P", t.P) }

// Apply flips img in place with probability P and returns it.
func (t HorizontalFlip) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("HorizontalFlip")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	im, err := imageOf("HorizontalFlip", img)
	if err != nil {
		return nil, err
	}
	if rng.Float64() < t.P {
		flipRows(im)
	}
	return im.dense(img), nil
}

func flipRows(im image) {
	for r := range im.c * im.h {
		row := im.pix[r*im.w : (r+1)*im.w]
		for i, j := 0, len(row)-1; i < j; i, j = i+1, j-1 {
			row[i], row[j] = row[j], row[i]
		}
	}
}
