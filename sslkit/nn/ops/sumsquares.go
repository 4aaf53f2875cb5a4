package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SumSquares returns Σ x² over all elements as a scalar, accumulated in
// float64 (gorgonia's Square then Sum would accumulate in float32 and
// allocate the squared matrix) — Barlow Twins sums 4M terms of a
// 2048×2048 correlation matrix.
func SumSquares(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.SumSquares: nil node")
	}
	if x.Shape().Dims() == 0 {
		return nil, fmt.Errorf("ops.SumSquares: x is a scalar")
	}
	return apply(sumSqKernel{dims: x.Shape().Dims()}, x)
}

type sumSqKernel struct{ dims int }

func (k sumSqKernel) name() string        { return fmt.Sprintf("SumSquares%d", k.dims) }
func (k sumSqKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k sumSqKernel) outDims() int        { return 0 }
func (k sumSqKernel) diffWRT() []bool     { return []bool{true} }
func (k sumSqKernel) shape([]tensor.Shape) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (k sumSqKernel) forward(in []buf) (buf, error) {
	out := newBuf(tensor.ScalarShape(), in[0].dt)
	for _, v := range in[0].data {
		out.data[0] += v * v
	}
	return out, nil
}
func (k sumSqKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	dx := newBuf(in[0].shape, in[0].dt)
	g := 2 * grad.data[0]
	for i, v := range in[0].data {
		dx.data[i] = g * v
	}
	return dx, nil
}
