package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DefaultBNEps is torch.nn.BatchNorm1d's eps.
const DefaultBNEps = 1e-5

// BatchStandardize standardises each column of an N×D matrix over the
// batch: (x − mean) / sqrt(var + eps) with the biased variance, which is
// torch.nn.BatchNorm1d(D, affine=False) in training mode (Barlow Twins'
// normalisation of each embedding dimension).
func BatchStandardize(x *G.Node, eps float64) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.BatchStandardize: nil node")
	}
	if x.Shape().Dims() != 2 || x.Shape()[0] < 2 {
		return nil, fmt.Errorf("ops.BatchStandardize: x has shape %v, want N×D with N ≥ 2", x.Shape())
	}
	if !(eps >= 0) {
		return nil, fmt.Errorf("ops.BatchStandardize: eps %g must be ≥ 0", eps)
	}
	return apply(bstdKernel{eps: eps}, x)
}

type bstdKernel struct{ eps float64 }

func (k bstdKernel) name() string        { return fmt.Sprintf("BatchStandardize[%g]", k.eps) }
func (k bstdKernel) inputs() []inputSpec { return []inputSpec{{dims: 2}} }
func (k bstdKernel) outDims() int        { return 2 }
func (k bstdKernel) diffWRT() []bool     { return []bool{true} }
func (k bstdKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}

// invStd returns 1/sqrt(var+eps) per column.
func (k bstdKernel) invStd(x buf) ([]float64, []float64) {
	n, d := x.shape[0], x.shape[1]
	mean := make([]float64, d)
	inv := make([]float64, d)
	for r := 0; r < n; r++ {
		for c := 0; c < d; c++ {
			mean[c] += x.data[r*d+c]
		}
	}
	for c := range mean {
		mean[c] /= float64(n)
	}
	for r := 0; r < n; r++ {
		for c := 0; c < d; c++ {
			v := x.data[r*d+c] - mean[c]
			inv[c] += v * v
		}
	}
	for c := range inv {
		inv[c] = 1 / math.Sqrt(inv[c]/float64(n)+k.eps)
	}
	return mean, inv
}

func (k bstdKernel) forward(in []buf) (buf, error) {
	x := in[0]
	n, d := x.shape[0], x.shape[1]
	out := newBuf(x.shape, x.dt)
	mean, inv := k.invStd(x)
	for r := 0; r < n; r++ {
		for c := 0; c < d; c++ {
			out.data[r*d+c] = (x.data[r*d+c] - mean[c]) * inv[c]
		}
	}
	return out, nil
}

// backward: dx = inv · (g − mean(g) − y·mean(g·y)) per column, with y
// recomputed in float64 from x (the stored output may be float32).
func (k bstdKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	x := in[0]
	n, d := x.shape[0], x.shape[1]
	mean, inv := k.invStd(x)
	mg := make([]float64, d)
	mgy := make([]float64, d)
	for r := 0; r < n; r++ {
		for c := 0; c < d; c++ {
			y := (x.data[r*d+c] - mean[c]) * inv[c]
			mg[c] += grad.data[r*d+c]
			mgy[c] += grad.data[r*d+c] * y
		}
	}
	dx := newBuf(x.shape, x.dt)
	for r := 0; r < n; r++ {
		for c := 0; c < d; c++ {
			y := (x.data[r*d+c] - mean[c]) * inv[c]
			dx.data[r*d+c] = inv[c] * (grad.data[r*d+c] - mg[c]/float64(n) - y*mgy[c]/float64(n))
		}
	}
	return dx, nil
}
