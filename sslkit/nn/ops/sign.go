package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Estimator picks the surrogate gradient of Sign.
type Estimator int

const (
	// ClippedSTE is the straight-through estimator of BNN papers
	// (Courbariaux et al., Hubara et al.): ∂sign(x)/∂x := 1 for |x| ≤ 1,
	// else 0, i.e. the derivative of clamp(x, -1, 1).
	ClippedSTE Estimator = iota
	// ReActNetSTE is ReActNet's (Liu et al. 2020) piecewise-polynomial
	// approximation: ∂sign(x)/∂x := 2 − 2|x| for |x| < 1, else 0.
	ReActNetSTE
)

func (e Estimator) String() string {
	switch e {
	case ClippedSTE:
		return "ClippedSTE"
	case ReActNetSTE:
		return "ReActNetSTE"
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

// SignSTE is Sign(x, ClippedSTE): binary activations/weights with the
// straight-through estimator.
func SignSTE(x *G.Node) (*G.Node, error) { return Sign(x, ClippedSTE) }

// Sign returns sign(x) element-wise (−1, 0 or +1, like torch.sign) with the
// surrogate gradient est. x may have any rank.
func Sign(x *G.Node, est Estimator) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.Sign: nil node")
	}
	if est != ClippedSTE && est != ReActNetSTE {
		return nil, fmt.Errorf("ops.Sign: unknown estimator %v", est)
	}
	return apply(signKernel{dims: x.Shape().Dims(), est: est}, x)
}

type signKernel struct {
	dims int
	est  Estimator
}

func (k signKernel) name() string        { return fmt.Sprintf("Sign%d[%v]", k.dims, k.est) }
func (k signKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k signKernel) outDims() int        { return k.dims }
func (k signKernel) diffWRT() []bool     { return []bool{true} }
func (k signKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (k signKernel) forward(in []buf) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	for i, x := range in[0].data {
		switch {
		case x > 0:
			out.data[i] = 1
		case x < 0:
			out.data[i] = -1
		}
	}
	return out, nil
}
func (k signKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	x := in[0]
	out := newBuf(x.shape, x.dt)
	for i, v := range x.data {
		a := math.Abs(v)
		switch {
		case k.est == ClippedSTE && a <= 1:
			out.data[i] = grad.data[i]
		case k.est == ReActNetSTE && a < 1:
			out.data[i] = grad.data[i] * (2 - 2*a)
		}
	}
	return out, nil
}
