package augment

import (
	"fmt"
	"math"
	"math/rand"

	"gorgonia.org/tensor"
)

// GaussianBlur blurs the image with a KernelSize×KernelSize Gaussian whose
// σ is drawn uniformly from Sigma, with probability P (torchvision's
// RandomApply([GaussianBlur(k, sigma)], p=P)). Borders are reflected
// without repeating the edge pixel (torchvision's "reflect" padding); the
// kernel is separable, so cost grows with KernelSize, not its square.
// SimCLR uses a kernel of 10% of the image side and σ in (0.1, 2.0).
type GaussianBlur struct {
	KernelSize int
	Sigma      [2]float64
	P          float64
}

// Validate reports an even or non-positive kernel size, a σ range that is
// not 0 < min ≤ max, or a probability outside [0, 1].
func (t GaussianBlur) Validate() error {
	if t.KernelSize < 1 || t.KernelSize%2 == 0 {
		return fmt.Errorf("augment: GaussianBlur.KernelSize = %d, want an odd positive size", t.KernelSize)
	}
	if err := checkRange("GaussianBlur", "Sigma", t.Sigma, 0, math.Inf(1), true); err != nil {
		return err
	}
	return checkProb("GaussianBlur", "P", t.P)
}

// Params draws whether the blur applies and its σ.
func (t GaussianBlur) Params(rng *rand.Rand) (apply bool, sigma float64) {
	if !(rng.Float64() < t.P) {
		return false, 0
	}
	return true, uniform(rng, t.Sigma[0], t.Sigma[1])
}

// Apply blurs img with probability P and returns the result (a new
// tensor when blurred, img itself otherwise).
func (t GaussianBlur) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("GaussianBlur")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	apply, sigma := t.Params(rng)
	if !apply {
		if _, err := imageOf("GaussianBlur", img); err != nil {
			return nil, err
		}
		return img, nil
	}
	return t.ApplyParams(img, sigma)
}

// ApplyParams blurs img with standard deviation sigma into a new tensor.
func (t GaussianBlur) ApplyParams(img *tensor.Dense, sigma float64) (*tensor.Dense, error) {
	if t.KernelSize < 1 || t.KernelSize%2 == 0 {
		return nil, fmt.Errorf("augment: GaussianBlur.KernelSize = %d, want an odd positive size", t.KernelSize)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("augment: GaussianBlur: sigma %g, want a finite value > 0", sigma)
	}
	im, err := imageOf("GaussianBlur", img)
	if err != nil {
		return nil, err
	}
	kernel := gaussianKernel(t.KernelSize, sigma)
	half := t.KernelSize / 2
	out, pix := newImage(im.c, im.h, im.w)
	n := im.h * im.w
	tmp := make([]float32, n)
	padded := make([]float32, im.w+2*half) // one reflected row
	colIdx := reflectIndices(im.w, half)
	rowIdx := reflectIndices(im.h, half)
	centre := kernel[half]
	for c := range im.c {
		plane := im.pix[c*n : (c+1)*n]
		// Horizontal pass into tmp. The kernel is symmetric, so taps at
		// equal distance share one multiplication.
		for y := range im.h {
			src := plane[y*im.w : (y+1)*im.w]
			for i, j := range colIdx {
				padded[i] = src[j]
			}
			dst := tmp[y*im.w : (y+1)*im.w]
			for x := range dst {
				win := padded[x : x+len(kernel)]
				s := centre * win[half]
				for k := range half {
					s += kernel[k] * (win[k] + win[len(win)-1-k])
				}
				dst[x] = s
			}
		}
		// Vertical pass into the output, a row at a time.
		outPlane := pix[c*n : (c+1)*n]
		for y := range im.h {
			dst := outPlane[y*im.w : (y+1)*im.w]
			idx := rowIdx[y : y+len(kernel)]
			mid := tmp[idx[half]*im.w : (idx[half]+1)*im.w]
			for x, v := range mid {
				dst[x] = centre * v
			}
			for k := range half {
				a := tmp[idx[k]*im.w : (idx[k]+1)*im.w]
				b := tmp[idx[len(idx)-1-k]*im.w : (idx[len(idx)-1-k]+1)*im.w]
				kv := kernel[k]
				for x := range dst {
					dst[x] += kv * (a[x] + b[x])
				}
			}
		}
	}
	return out, nil
}

// gaussianKernel is torchvision's 1-D kernel: exp(−x²/2σ²) at
// x = −(k−1)/2 … (k−1)/2, normalised to sum 1.
func gaussianKernel(size int, sigma float64) []float32 {
	half := float64(size-1) / 2
	vals := make([]float64, size)
	var sum float64
	for i := range vals {
		x := (float64(i) - half) / sigma
		vals[i] = math.Exp(-0.5 * x * x)
		sum += vals[i]
	}
	k := make([]float32, size)
	for i, v := range vals {
		k[i] = float32(v / sum)
	}
	return k
}

// reflectIndices maps positions −pad … n−1+pad to source indices with
// reflection that does not repeat the edge (… 2 1 0 1 2 …), folding again
// when pad exceeds the image (where torch's reflect padding would fail).
func reflectIndices(n, pad int) []int {
	idx := make([]int, n+2*pad)
	for i := range idx {
		p := i - pad
		if n == 1 {
			idx[i] = 0
			continue
		}
		period := 2 * (n - 1)
		p %= period
		if p < 0 {
			p += period
		}
		if p >= n {
			p = period - p
		}
		idx[i] = p
	}
	return idx
}
