package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lseStrided is log Σ exp over n values at data[off], data[off+stride], …,
// shifted by the maximum for stability. −Inf entries (masked logits)
// contribute nothing; if all are −Inf the result is −Inf.
func lseStrided(data []float64, off, n, stride int) float64 {
	m := math.Inf(-1)
	for j := 0; j < n; j++ {
		if v := data[off+j*stride]; v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for j := 0; j < n; j++ {
		s += math.Exp(data[off+j*stride] - m)
	}
	return m + math.Log(s)
}

// LogSoftmax is log(softmax(x)) along axis (−1: the last), computed stably.
func LogSoftmax(x *G.Node, axis int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.LogSoftmax: nil node")
	}
	a, err := normAxis(axis, x.Shape().Dims())
	if err != nil {
		return nil, fmt.Errorf("ops.LogSoftmax: %w", err)
	}
	return apply(logSoftmaxKernel{dims: x.Shape().Dims(), axis: a}, x)
}

// Softmax is softmax(x) along axis (−1: the last), computed stably, with
// the gradient y·(g − Σ g·y). gorgonia's own SoftMax is not used because
// its gradient is unchecked for arbitrary axes.
func Softmax(x *G.Node, axis int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.Softmax: nil node")
	}
	a, err := normAxis(axis, x.Shape().Dims())
	if err != nil {
		return nil, fmt.Errorf("ops.Softmax: %w", err)
	}
	return apply(softmaxKernel{dims: x.Shape().Dims(), axis: a}, x)
}

type softmaxKernel struct{ dims, axis int }

func (k softmaxKernel) name() string        { return fmt.Sprintf("Softmax%d[%d]", k.dims, k.axis) }
func (k softmaxKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k softmaxKernel) outDims() int        { return k.dims }
func (k softmaxKernel) diffWRT() []bool     { return []bool{true} }
func (k softmaxKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}

// softmaxInto writes softmax along the axis of x into y (float64).
func (k softmaxKernel) softmaxInto(x buf, y []float64) {
	sp := spanOf(x.shape, k.axis)
	parallelRows(sp.outer, sp.dim*sp.inner, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for i := 0; i < sp.inner; i++ {
				off := o*sp.dim*sp.inner + i
				l := lseStrided(x.data, off, sp.dim, sp.inner)
				for j := 0; j < sp.dim; j++ {
					p := off + j*sp.inner
					y[p] = math.Exp(x.data[p] - l)
				}
			}
		}
	})
}

func (k softmaxKernel) forward(in []buf) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	k.softmaxInto(in[0], out.data)
	return out, nil
}

func (k softmaxKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	dx := newBuf(in[0].shape, in[0].dt)
	k.softmaxInto(in[0], dx.data) // y, recomputed in float64
	sp := spanOf(in[0].shape, k.axis)
	parallelRows(sp.outer, sp.dim*sp.inner, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for i := 0; i < sp.inner; i++ {
				off := o*sp.dim*sp.inner + i
				dot := 0.0
				for j := 0; j < sp.dim; j++ {
					p := off + j*sp.inner
					dot += grad.data[p] * dx.data[p]
				}
				for j := 0; j < sp.dim; j++ {
					p := off + j*sp.inner
					dx.data[p] *= grad.data[p] - dot
				}
			}
		}
	})
	return dx, nil
}

type logSoftmaxKernel struct{ dims, axis int }

func (k logSoftmaxKernel) name() string        { return fmt.Sprintf("LogSoftmax%d[%d]", k.dims, k.axis) }
func (k logSoftmaxKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k logSoftmaxKernel) outDims() int        { return k.dims }
func (k logSoftmaxKernel) diffWRT() []bool     { return []bool{true} }
func (k logSoftmaxKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (k logSoftmaxKernel) forward(in []buf) (buf, error) {
	x := in[0]
	out := newBuf(x.shape, x.dt)
	sp := spanOf(x.shape, k.axis)
	for o := 0; o < sp.outer; o++ {
		for i := 0; i < sp.inner; i++ {
			off := o*sp.dim*sp.inner + i
			l := lseStrided(x.data, off, sp.dim, sp.inner)
			for j := 0; j < sp.dim; j++ {
				out.data[off+j*sp.inner] = x.data[off+j*sp.inner] - l
			}
		}
	}
	return out, nil
}

// backward: dx = g − softmax · Σg along the axis.
func (k logSoftmaxKernel) backward(in []buf, out, grad buf, _ int) (buf, error) {
	dx := newBuf(in[0].shape, in[0].dt)
	sp := spanOf(in[0].shape, k.axis)
	for o := 0; o < sp.outer; o++ {
		for i := 0; i < sp.inner; i++ {
			off := o*sp.dim*sp.inner + i
			s := 0.0
			for j := 0; j < sp.dim; j++ {
				s += grad.data[off+j*sp.inner]
			}
			for j := 0; j < sp.dim; j++ {
				p := off + j*sp.inner
				dx.data[p] = grad.data[p] - math.Exp(out.data[p])*s
			}
		}
	}
	return dx, nil
}

// LogSumExp is log Σ exp(x) along axis, which is removed from the shape
// (torch.logsumexp(x, dim=axis)). gorgonia's LogSumExp does not build.
func LogSumExp(x *G.Node, axis int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.LogSumExp: nil node")
	}
	a, err := normAxis(axis, x.Shape().Dims())
	if err != nil {
		return nil, fmt.Errorf("ops.LogSumExp: %w", err)
	}
	return apply(lseKernel{in: x.Shape().Clone(), axis: a}, x)
}

type lseKernel struct {
	in   tensor.Shape
	axis int
}

func (k lseKernel) name() string        { return fmt.Sprintf("LogSumExp%v[%d]", k.in, k.axis) }
func (k lseKernel) inputs() []inputSpec { return []inputSpec{{dims: len(k.in)}} }
func (k lseKernel) outDims() int        { return len(k.in) - 1 }
func (k lseKernel) diffWRT() []bool     { return []bool{true} }
func (k lseKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	if !in[0].Eq(k.in) {
		return nil, fmt.Errorf("%s: input shape %v", k.name(), in[0])
	}
	return dropAxes(k.in, []int{k.axis}), nil
}
func (k lseKernel) forward(in []buf) (buf, error) {
	out := newBuf(dropAxes(k.in, []int{k.axis}), in[0].dt)
	sp := spanOf(k.in, k.axis)
	for o := 0; o < sp.outer; o++ {
		for i := 0; i < sp.inner; i++ {
			out.data[o*sp.inner+i] = lseStrided(in[0].data, o*sp.dim*sp.inner+i, sp.dim, sp.inner)
		}
	}
	return out, nil
}

// backward: dx = g · softmax(x) along the axis.
func (k lseKernel) backward(in []buf, out, grad buf, _ int) (buf, error) {
	dx := newBuf(k.in, in[0].dt)
	sp := spanOf(k.in, k.axis)
	for o := 0; o < sp.outer; o++ {
		for i := 0; i < sp.inner; i++ {
			l, g := out.data[o*sp.inner+i], grad.data[o*sp.inner+i]
			if math.IsInf(l, -1) {
				continue
			}
			for j := 0; j < sp.dim; j++ {
				p := o*sp.dim*sp.inner + i + j*sp.inner
				dx.data[p] = g * math.Exp(in[0].data[p]-l)
			}
		}
	}
	return dx, nil
}
