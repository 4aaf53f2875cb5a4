package nn

import (
	"math/rand"

	G "gorgonia.org/gorgonia"
)

// BlockOptions configure ResNet blocks. Start from DefaultBlockOptions
// (torchvision's defaults) and change the fields you need.
type BlockOptions struct {
	// ZeroInitResidual starts the last BatchNorm of each block at γ = 0, so
	// each block begins as the identity (Goyal et al.; torchvision's
	// zero_init_residual). Default false, as in torchvision.
	ZeroInitResidual bool
	// BN configures every BatchNorm of the block. Default
	// DefaultBNOptions().
	BN BNOptions
}

// DefaultBlockOptions returns torchvision's ResNet block settings:
// no zero-initialised residual, PyTorch's BatchNorm defaults.
func DefaultBlockOptions() BlockOptions { return BlockOptions{BN: DefaultBNOptions()} }

// ResidualBlock is a ResNet block: out = relu(body(x) + shortcut(x)).
// Body is conv–bn–relu–…–conv–bn; Shortcut is nil (identity) or a 1×1
// strided conv with BatchNorm.
type ResidualBlock struct {
	Body     *Sequential
	Shortcut *Sequential
}

func (r *ResidualBlock) Children() []Module {
	if r.Shortcut == nil {
		return []Module{r.Body}
	}
	return []Module{r.Body, r.Shortcut}
}
func (r *ResidualBlock) Params() []*Param { return collect(r.Children()...) }

func (r *ResidualBlock) Forward(x *G.Node) (*G.Node, error) {
	y, err := r.Body.Forward(x)
	if err != nil {
		return nil, err
	}
	s := x
	if r.Shortcut != nil {
		if s, err = r.Shortcut.Forward(x); err != nil {
			return nil, err
		}
	}
	if !y.Shape().Eq(s.Shape()) {
		return nil, errf("residual block: body %v and shortcut %v do not add up", y.Shape(), s.Shape())
	}
	return addReLU(y, s) // one op: the sum is never stored
}

type blockBuilder struct {
	name string
	bn0  BNOptions
	rng  *rand.Rand
	mods []Module
	err  error
}

func (b *blockBuilder) conv(idx string, in, out, k, stride, pad int) {
	if b.err != nil {
		return
	}
	c, err := NewConv2d(join(b.name, "conv"+idx), in, out, k,
		kaimingConv(stride, pad), b.rng)
	b.mods, b.err = append(b.mods, c), err
}

func (b *blockBuilder) bn(idx string, ch int, zero bool) {
	if b.err != nil {
		return
	}
	n, err := NewBatchNorm2d(join(b.name, "bn"+idx), ch, b.bn0)
	if err == nil && zero {
		copy(n.Weight.Data(), make([]float32, ch))
	}
	b.mods, b.err = append(b.mods, n), err
}

func (b *blockBuilder) relu() { b.mods = append(b.mods, ReLU{}) }

// block returns the built layers as a residual block's body, with the
// shortcut from in to out channels at stride.
func (b *blockBuilder) block(in, out, stride int) (*ResidualBlock, error) {
	if b.err != nil {
		return nil, b.err
	}
	sc, err := shortcut(b.name, in, out, stride, b.bn0, b.rng)
	if err != nil {
		return nil, err
	}
	return &ResidualBlock{Body: NewSequential(b.mods...), Shortcut: sc}, nil
}

// kaimingConv is torchvision's ResNet convolution: no bias, He fan-out init.
func kaimingConv(stride, pad int) ConvOptions {
	o := DefaultConvOptions()
	o.Stride, o.Padding, o.NoBias, o.KaimingOut = stride, pad, true, true
	return o
}

func shortcut(name string, in, out, stride int, bn BNOptions, rng *rand.Rand) (*Sequential, error) {
	if stride == 1 && in == out {
		return nil, nil
	}
	c, err := NewConv2d(join(name, "downsample.0"), in, out, 1, kaimingConv(stride, 0), rng)
	if err != nil {
		return nil, err
	}
	n, err := NewBatchNorm2d(join(name, "downsample.1"), out, bn)
	if err != nil {
		return nil, err
	}
	return NewSequential(c, n), nil
}

// NewBasicBlock is ResNet-18/34's block: two 3×3 convolutions.
func NewBasicBlock(name string, in, out, stride int, opt BlockOptions, rng *rand.Rand) (*ResidualBlock, error) {
	rng = rngOrDefault(rng)
	b := &blockBuilder{name: name, bn0: opt.BN, rng: rng}
	b.conv("1", in, out, 3, stride, 1)
	b.bn("1", out, false)
	b.relu()
	b.conv("2", out, out, 3, 1, 1)
	b.bn("2", out, opt.ZeroInitResidual)
	return b.block(in, out, stride)
}

// BottleneckExpansion is how many times wider a Bottleneck's output is
// than its 3×3 convolution.
const BottleneckExpansion = 4

// NewBottleneck is ResNet-50's block (torchvision's "v1.5": the stride sits
// on the 3×3 convolution): 1×1 reduce to width, 3×3, 1×1 expand to 4·width.
func NewBottleneck(name string, in, width, stride int, opt BlockOptions, rng *rand.Rand) (*ResidualBlock, error) {
	rng = rngOrDefault(rng)
	out := width * BottleneckExpansion
	b := &blockBuilder{name: name, bn0: opt.BN, rng: rng}
	b.conv("1", in, width, 1, 1, 0)
	b.bn("1", width, false)
	b.relu()
	b.conv("2", width, width, 3, stride, 1)
	b.bn("2", width, false)
	b.relu()
	b.conv("3", width, out, 1, 1, 0)
	b.bn("3", out, opt.ZeroInitResidual)
	return b.block(in, out, stride)
}
