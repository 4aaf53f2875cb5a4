package nn

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2d takes the maximum over Kernel×Kernel windows of (N,C,H,W).
// Stride 0 means Stride = Kernel (PyTorch's default); padding never wins
// the maximum.
type MaxPool2d struct{ Kernel, Stride, Padding int }

func (MaxPool2d) Params() []*Param { return nil }

func (m MaxPool2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("MaxPool2d", x, 4); err != nil {
		return nil, err
	}
	s, err := poolStride(m.Kernel, m.Stride, m.Padding)
	if err != nil {
		return nil, err
	}
	return G.MaxPool2D(x, tensor.Shape{m.Kernel, m.Kernel}, []int{m.Padding, m.Padding}, []int{s, s})
}

// AvgPool2d averages Kernel×Kernel windows of (N,C,H,W), counting padding
// zeros (PyTorch's count_include_pad=True). Stride 0 means Stride = Kernel.
type AvgPool2d struct{ Kernel, Stride, Padding int }

func (AvgPool2d) Params() []*Param { return nil }

func (a AvgPool2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("AvgPool2d", x, 4); err != nil {
		return nil, err
	}
	s, err := poolStride(a.Kernel, a.Stride, a.Padding)
	if err != nil {
		return nil, err
	}
	return avgPool(x, a.Kernel, s, a.Padding)
}

func poolStride(k, s, p int) (int, error) {
	if k < 1 || s < 0 || p < 0 {
		return 0, errf("pool: bad kernel %d / stride %d / padding %d", k, s, p)
	}
	if s == 0 {
		s = k
	}
	return s, nil
}

// GlobalAvgPool averages each channel of (N,C,H,W) to give (N,C), as
// PyTorch's AdaptiveAvgPool2d(1) followed by flatten.
type GlobalAvgPool struct{}

func (GlobalAvgPool) Params() []*Param { return nil }

func (GlobalAvgPool) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("GlobalAvgPool", x, 4); err != nil {
		return nil, err
	}
	s := x.Shape()
	// A reshape and one single-axis mean: gorgonia's GlobalAveragePool2D
	// panics in Grad and its two-axis mean has a wrong gradient.
	flat, err := G.Reshape(x, tensor.Shape{s[0], s[1], s[2] * s[3]})
	if err != nil {
		return nil, err
	}
	return meanAxes(flat, 2)
}

// Flatten reshapes (N, …) to (N, rest).
type Flatten struct{}

func (Flatten) Params() []*Param { return nil }

func (Flatten) Forward(x *G.Node) (*G.Node, error) {
	if x == nil || x.Dims() < 2 {
		return nil, errf("Flatten: need at least 2 dimensions")
	}
	s := x.Shape()
	return G.Reshape(x, tensor.Shape{s[0], s.TotalSize() / s[0]})
}
