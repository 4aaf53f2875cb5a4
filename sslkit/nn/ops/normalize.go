package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DefaultNormEps is torch.nn.functional.normalize's eps.
const DefaultNormEps = 1e-12

// L2Normalize divides x by its Euclidean norm along axis (−1: the last),
// clamped below by eps: x / max(‖x‖, eps), like
// torch.nn.functional.normalize(x, dim=axis, eps=eps). It divides by the
// square root directly (gorgonia's InverseSqrt gradient is wrong).
func L2Normalize(x *G.Node, axis int, eps float64) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.L2Normalize: nil node")
	}
	a, err := normAxis(axis, x.Shape().Dims())
	if err != nil {
		return nil, fmt.Errorf("ops.L2Normalize: %w", err)
	}
	if !(eps > 0) {
		return nil, fmt.Errorf("ops.L2Normalize: eps %g must be positive", eps)
	}
	return apply(l2Kernel{dims: x.Shape().Dims(), axis: a, eps: eps, scale: 1}, x)
}

// ScaledL2Normalize is L2Normalize(x, axis, eps) multiplied by s in the
// same pass (NT-Xent scales the normalised embeddings by 1/√τ), saving a
// tensor and its gradient.
func ScaledL2Normalize(x *G.Node, axis int, eps, s float64) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.ScaledL2Normalize: nil node")
	}
	a, err := normAxis(axis, x.Shape().Dims())
	if err != nil {
		return nil, fmt.Errorf("ops.ScaledL2Normalize: %w", err)
	}
	if !(eps > 0) {
		return nil, fmt.Errorf("ops.ScaledL2Normalize: eps %g must be positive", eps)
	}
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("ops.ScaledL2Normalize: scale %g must be finite", s)
	}
	return apply(l2Kernel{dims: x.Shape().Dims(), axis: a, eps: eps, scale: s}, x)
}

type l2Kernel struct {
	dims, axis int
	eps, scale float64
}

func (k l2Kernel) name() string {
	if k.scale != 1 {
		return fmt.Sprintf("L2Normalize%d[%d,%g]·%g", k.dims, k.axis, k.eps, k.scale)
	}
	return fmt.Sprintf("L2Normalize%d[%d,%g]", k.dims, k.axis, k.eps)
}
func (k l2Kernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k l2Kernel) outDims() int        { return k.dims }
func (k l2Kernel) diffWRT() []bool     { return []bool{true} }
func (k l2Kernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}

// each calls f with the offset and clamped norm of every vector along the axis.
func (k l2Kernel) each(x buf, f func(off int, sp span, norm float64, clamped bool)) {
	sp := spanOf(x.shape, k.axis)
	for o := 0; o < sp.outer; o++ {
		for i := 0; i < sp.inner; i++ {
			off := o*sp.dim*sp.inner + i
			s := 0.0
			for j := 0; j < sp.dim; j++ {
				v := x.data[off+j*sp.inner]
				s += v * v
			}
			n := math.Sqrt(s)
			if n > k.eps {
				f(off, sp, n, false)
			} else {
				f(off, sp, k.eps, true)
			}
		}
	}
}

func (k l2Kernel) forward(in []buf) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	k.each(in[0], func(off int, sp span, n float64, _ bool) {
		for j := 0; j < sp.dim; j++ {
			out.data[off+j*sp.inner] = in[0].data[off+j*sp.inner] / n * k.scale
		}
	})
	return out, nil
}

// backward: (g − y·⟨g, y⟩)/‖x‖, or g/eps where the norm is clamped.
func (k l2Kernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	dx := newBuf(in[0].shape, in[0].dt)
	k.each(in[0], func(off int, sp span, n float64, clamped bool) {
		dot := 0.0
		if !clamped {
			for j := 0; j < sp.dim; j++ {
				p := off + j*sp.inner
				dot += grad.data[p] * in[0].data[p] / n
			}
		}
		for j := 0; j < sp.dim; j++ {
			p := off + j*sp.inner
			dx.data[p] = k.scale * (grad.data[p] - in[0].data[p]/n*dot) / n
		}
	})
	return dx, nil
}
