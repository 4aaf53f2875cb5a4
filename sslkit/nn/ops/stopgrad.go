package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// StopGradient returns x unchanged in the forward pass and blocks every
// gradient through it (PyTorch's x.detach()): the BYOL/SimSiam target, a
// frozen teacher's output, DINO's teacher probabilities.
//
// Asking gorgonia.Grad for the gradient of a node that reaches the cost only
// through StopGradient is an error ("Non Differentiable WRTs"); ops.Grad
// gives such a node a zero gradient instead.
func StopGradient(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.StopGradient: nil node")
	}
	return apply(stopGradKernel{dims: x.Shape().Dims()}, x)
}

type stopGradKernel struct{ dims int }

func (k stopGradKernel) name() string        { return fmt.Sprintf("StopGradient%d", k.dims) }
func (k stopGradKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k stopGradKernel) outDims() int        { return k.dims }
func (k stopGradKernel) diffWRT() []bool     { return []bool{false} }
func (k stopGradKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (k stopGradKernel) forward(in []buf) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	copy(out.data, in[0].data)
	return out, nil
}
func (k stopGradKernel) backward([]buf, buf, buf, int) (buf, error) {
	return buf{}, fmt.Errorf("StopGradient has no gradient")
}
