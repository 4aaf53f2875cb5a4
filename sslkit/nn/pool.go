package nn

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/ops"
)

// MaxPoolOptions configure MaxPool2d. Start from DefaultMaxPoolOptions
// (torch.nn.MaxPool2d's defaults for a kernel) and change the fields you
// need; every field is used as given.
type MaxPoolOptions struct {
	// Stride ≥ 1. Default the kernel size, as in PyTorch.
	Stride int
	// Padding ≥ 0 on each side, at most half the kernel; padding never
	// wins the maximum. Default 0.
	Padding int
}

// DefaultMaxPoolOptions returns torch.nn.MaxPool2d(kernel)'s settings:
// stride = kernel, no padding.
func DefaultMaxPoolOptions(kernel int) MaxPoolOptions { return MaxPoolOptions{Stride: kernel} }

// MaxPool2d takes the maximum over Kernel×Kernel windows of (N,C,H,W)
// (output size rounded down, PyTorch's ceil_mode=False).
type MaxPool2d struct {
	Kernel int
	Opt    MaxPoolOptions
}

// NewMaxPool2d makes a max pooling layer after checking its options.
func NewMaxPool2d(kernel int, opt MaxPoolOptions) (*MaxPool2d, error) {
	m := &MaxPool2d{Kernel: kernel, Opt: opt}
	return m, m.check()
}

func (m MaxPool2d) check() error {
	return checkPool("MaxPool2d", "MaxPoolOptions", "DefaultMaxPoolOptions", m.Kernel, m.Opt.Stride, m.Opt.Padding)
}

func (MaxPool2d) Params() []*Param { return nil }

func (m MaxPool2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("MaxPool2d", x, 4); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	k, s, p := m.Kernel, m.Opt.Stride, m.Opt.Padding
	return maxPool2d(x, k, s, p)
}

// AvgPoolOptions configure AvgPool2d. Start from DefaultAvgPoolOptions
// (torch.nn.AvgPool2d's defaults for a kernel) and change the fields you
// need; every field is used as given.
type AvgPoolOptions struct {
	// Stride ≥ 1. Default the kernel size, as in PyTorch.
	Stride int
	// Padding ≥ 0 zeros on each side, at most half the kernel. Default 0.
	Padding int
	// CeilMode rounds the output size up, so a last partial window is
	// kept when it starts inside the input or its left padding (torch's
	// ceil_mode=True). Default false.
	CeilMode bool
	// CountIncludePad divides by the whole window including padding zeros
	// (torch's count_include_pad=True, the default); false divides by the
	// number of input elements in the window. Either way the part of a
	// ceil-mode window that hangs beyond the padding is never counted, as
	// in PyTorch.
	CountIncludePad bool
}

// DefaultAvgPoolOptions returns torch.nn.AvgPool2d(kernel)'s settings:
// stride = kernel, no padding, floor mode, padding counted.
func DefaultAvgPoolOptions(kernel int) AvgPoolOptions {
	return AvgPoolOptions{Stride: kernel, CountIncludePad: true}
}

// AvgPool2d averages Kernel×Kernel windows of (N,C,H,W).
type AvgPool2d struct {
	Kernel int
	Opt    AvgPoolOptions
}

// NewAvgPool2d makes an average pooling layer after checking its options.
func NewAvgPool2d(kernel int, opt AvgPoolOptions) (*AvgPool2d, error) {
	a := &AvgPool2d{Kernel: kernel, Opt: opt}
	return a, checkPool("AvgPool2d", "AvgPoolOptions", "DefaultAvgPoolOptions", kernel, opt.Stride, opt.Padding)
}

func (AvgPool2d) Params() []*Param { return nil }

func (a AvgPool2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("AvgPool2d", x, 4); err != nil {
		return nil, err
	}
	if err := checkPool("AvgPool2d", "AvgPoolOptions", "DefaultAvgPoolOptions", a.Kernel, a.Opt.Stride, a.Opt.Padding); err != nil {
		return nil, err
	}
	return avgPool(x, a.Kernel, a.Opt)
}

func checkPool(layer, opts, ctor string, k, s, p int) error {
	switch {
	case k < 1:
		return errf("%s: kernel %d must be ≥ 1", layer, k)
	case s < 1:
		return errf("%s: %s.Stride %d must be ≥ 1 (start from nn.%s(%d))", layer, opts, s, ctor, k)
	case p < 0 || 2*p > k:
		return errf("%s: %s.Padding %d must be between 0 and half the kernel %d (start from nn.%s(%d))", layer, opts, p, k, ctor, k)
	}
	return nil
}

// GlobalAvgPool averages each channel of (N,C,H,W) to give (N,C), as
// PyTorch's AdaptiveAvgPool2d(1) followed by flatten.
type GlobalAvgPool struct{}

func (GlobalAvgPool) Params() []*Param { return nil }

func (GlobalAvgPool) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("GlobalAvgPool", x, 4); err != nil {
		return nil, err
	}
	// gorgonia's GlobalAveragePool2D panics in Grad and its two-axis mean
	// has a wrong gradient; ops.MeanAxes is sslkit's checked reduction.
	return ops.MeanAxes(x, 2, 3)
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
