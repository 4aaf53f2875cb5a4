package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Diag returns the main diagonal of a matrix (torch.diagonal): a vector of
// length min(rows, cols).
func Diag(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.Diag: nil node")
	}
	if x.Shape().Dims() != 2 {
		return nil, fmt.Errorf("ops.Diag: x has shape %v, want a matrix", x.Shape())
	}
	return apply(diagKernel{}, x)
}

type diagKernel struct{}

func (diagKernel) name() string        { return "Diag" }
func (diagKernel) inputs() []inputSpec { return []inputSpec{{dims: 2}} }
func (diagKernel) outDims() int        { return 1 }
func (diagKernel) diffWRT() []bool     { return []bool{true} }
func (diagKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	r, c := in[0][0], in[0][1]
	if c < r {
		r = c
	}
	return tensor.Shape{r}, nil
}
func (k diagKernel) forward(in []buf) (buf, error) {
	s, _ := k.shape([]tensor.Shape{in[0].shape})
	out := newBuf(s, in[0].dt)
	cols := in[0].shape[1]
	for i := range out.data {
		out.data[i] = in[0].data[i*cols+i]
	}
	return out, nil
}
func (diagKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	cols := in[0].shape[1]
	for i, g := range grad.data {
		out.data[i*cols+i] = g
	}
	return out, nil
}

func (diagKernel) shapeOnlyBackward() {}
