package nn

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ChannelBias adds a learnable per-channel value to (N, C, …): ReActNet's
// "LearnableBias", which shifts activations before a sign or a PReLU.
type ChannelBias struct {
	Bias *Param
}

// NewChannelBias makes a zero-initialised ChannelBias named name+".bias".
func NewChannelBias(name string, channels int) (*ChannelBias, error) {
	if channels < 1 {
		return nil, errf("ChannelBias %q: channels must be ≥ 1", name)
	}
	return &ChannelBias{Bias: NewParam(join(name, "bias"), zeros(channels))}, nil
}

func (b *ChannelBias) Params() []*Param { return []*Param{b.Bias} }
func (b *ChannelBias) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("ChannelBias "+b.Bias.Name, x, 2, 4); err != nil {
		return nil, err
	}
	return shiftChannels(x, b.Bias.Node(x.Graph()))
}

// RSign is ReActNet's binary activation: sign(x − α) with a learnable
// per-channel threshold α and ReActNet's polynomial straight-through
// gradient.
type RSign struct {
	Threshold *ChannelBias // holds −α
}

// NewRSign makes an RSign for the given channel count.
func NewRSign(name string, channels int) (*RSign, error) {
	b, err := NewChannelBias(name, channels)
	return &RSign{Threshold: b}, err
}

func (r *RSign) Children() []Module { return []Module{r.Threshold} }
func (r *RSign) Params() []*Param   { return r.Threshold.Params() }
func (r *RSign) Forward(x *G.Node) (*G.Node, error) {
	shifted, err := r.Threshold.Forward(x)
	if err != nil {
		return nil, err
	}
	return ops.Sign(shifted, ops.ReActNetSTE)
}

// RPReLU is ReActNet's activation: PReLU(x − γ) + ζ with per-channel γ, ζ
// and slopes.
type RPReLU struct {
	Before *ChannelBias
	Act    *PReLU
	After  *ChannelBias
}

// NewRPReLU makes an RPReLU (slopes start at 0.25, shifts at 0).
func NewRPReLU(name string, channels int) (*RPReLU, error) {
	b, err := NewChannelBias(join(name, "shift_in"), channels)
	if err != nil {
		return nil, err
	}
	p, _ := NewPReLU(join(name, "prelu"), channels, 0.25)
	a, _ := NewChannelBias(join(name, "shift_out"), channels)
	return &RPReLU{Before: b, Act: p, After: a}, nil
}

func (r *RPReLU) Children() []Module { return []Module{r.Before, r.Act, r.After} }
func (r *RPReLU) Params() []*Param   { return collect(r.Children()...) }
func (r *RPReLU) Forward(x *G.Node) (*G.Node, error) {
	return NewSequential(r.Before, r.Act, r.After).Forward(x)
}

// BinaryConv2d convolves with binarised weights α_o·sign(W_o), where α_o is
// the mean |W| of output channel o (XNOR-Net/ReActNet scaling). The real
// weights W are what the optimiser updates; the sign passes gradients
// straight through (clipped at |W| ≤ 1). No bias.
type BinaryConv2d struct {
	In, Out, Kernel, Stride, Padding int
	Weight                           *Param
}

// NewBinaryConv2d makes a square-kernel binary convolution with small
// uniform initial weights; rng may be nil.
func NewBinaryConv2d(name string, in, out, kernel, stride, padding int, rng *rand.Rand) (*BinaryConv2d, error) {
	c, err := NewConv2d(name, in, out, kernel, ConvOptions{Stride: stride, Padding: padding, Dilation: 1, Groups: 1, NoBias: true}, rng)
	if err != nil {
		return nil, err
	}
	return &BinaryConv2d{In: in, Out: out, Kernel: kernel, Stride: c.Opt.Stride, Padding: padding, Weight: c.Weight}, nil
}

func (c *BinaryConv2d) Params() []*Param { return []*Param{c.Weight} }

func (c *BinaryConv2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("BinaryConv2d "+c.Weight.Name, x, 4); err != nil {
		return nil, err
	}
	if x.Shape()[1] != c.In {
		return nil, errf("BinaryConv2d %s: input has %d channels, want %d", c.Weight.Name, x.Shape()[1], c.In)
	}
	w := c.Weight.Node(x.Graph())
	wb, err := BinarizeWeights(w)
	if err != nil {
		return nil, fmt.Errorf("BinaryConv2d %s: %w", c.Weight.Name, err)
	}
	return conv2d(x, wb, c.Stride, c.Padding, 1)
}

// BinarizeWeights returns α_o·sign(W_o) for a filter bank W (Out, …), with
// α_o = mean |W_o|, and ReActNet's straight-through gradient: the upstream
// gradient passes to W unchanged where |W| ≤ 1 and is zero elsewhere (α
// is treated as a constant, as ReActNet's code detaches it).
func BinarizeWeights(w *G.Node) (*G.Node, error) {
	s := w.Shape().Clone()
	rows, cols := s[0], s.TotalSize()/s[0]
	fwd := &customop.Op{
		Name: fmt.Sprintf("BinarizeWeights %v", s), NumIn: 1, Diff: []bool{true},
		Shape: func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			for r := 0; r < rows; r++ {
				row := in[0][r*cols : (r+1)*cols]
				var alpha float32
				for _, v := range row {
					if v < 0 {
						alpha -= v
					} else {
						alpha += v
					}
				}
				alpha /= float32(cols)
				for j, v := range row {
					switch {
					case v > 0:
						out[r*cols+j] = alpha
					case v < 0:
						out[r*cols+j] = -alpha
					}
				}
			}
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		mask, err := elementwise(inputs[0], "ClipMask", func(x float64) float64 {
			if x >= -1 && x <= 1 {
				return 1
			}
			return 0
		}, nil)
		if err != nil {
			return nil, err
		}
		dw, err := G.HadamardProd(grad, mask)
		return G.Nodes{dw}, err
	}
	return G.ApplyOp(fwd, w)
}
