package backbone

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// EfficientNetConfig selects EfficientNet-B0 options. Start from
// DefaultEfficientNetConfig (torchvision's efficientnet_b0) and change the
// fields you need; every field is used as given.
type EfficientNetConfig struct {
	// NumClasses > 0 adds torchvision's classifier (Dropout, Linear
	// 1280 → NumClasses); 0 (the default) returns the pooled 1280-d
	// features.
	NumClasses int
	// InChannels ≥ 1. Default 3.
	InChannels int
	// StochasticDepth ∈ [0, 1) is the drop probability of the last
	// block's residual branch, rising linearly from 0 at the first block;
	// 0 disables it. Default 0.2, torchvision's stochastic_depth_prob.
	StochasticDepth float64
	// Dropout ∈ [0, 1) before the classifier (used with NumClasses > 0).
	// Default 0.2, torchvision's efficientnet_b0 dropout.
	Dropout float64
}

// DefaultEfficientNetConfig returns torchvision's efficientnet_b0
// settings on RGB images: stochastic depth 0.2, classifier dropout 0.2,
// no classifier.
func DefaultEfficientNetConfig() EfficientNetConfig {
	return EfficientNetConfig{InChannels: 3, StochasticDepth: 0.2, Dropout: 0.2}
}

// stage of EfficientNet-B0: expansion, kernel, stride, output channels, blocks.
type mbStage struct{ expand, kernel, stride, out, n int }

var effB0 = []mbStage{
	{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
	{6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1},
}

// NewEfficientNetB0 builds EfficientNet-B0 with torchvision's layout,
// parameter names ("features.2.1.block.1.0.weight") and initialisation:
// MBConv blocks with depthwise convolutions, squeeze-and-excitation, SiLU
// and stochastic depth. Every convolution (depthwise and
// squeeze-excitation included) starts He normal in fan-out mode with a
// zero bias, BatchNorm at γ = 1, β = 0, and the classifier at
// U(±1/√NumClasses) with a zero bias, as torchvision's EfficientNet does.
func NewEfficientNetB0(cfg EfficientNetConfig, rng *rand.Rand) (*Net, error) {
	if err := checkChannels("EfficientNetConfig", "DefaultEfficientNetConfig()", cfg.InChannels, cfg.NumClasses); err != nil {
		return nil, err
	}
	if !(cfg.StochasticDepth >= 0 && cfg.StochasticDepth < 1) {
		return nil, fmt.Errorf("backbone: EfficientNetConfig.StochasticDepth %g must be in [0, 1) (start from backbone.DefaultEfficientNetConfig())", cfg.StochasticDepth)
	}
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		return nil, fmt.Errorf("backbone: EfficientNetConfig.Dropout %g must be in [0, 1) (start from backbone.DefaultEfficientNetConfig())", cfg.Dropout)
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	total := 0
	for _, st := range effB0 {
		total += st.n
	}
	blockID := 0
	var mods []nn.Module
	stem, err := convBNAct("features.0", cfg.InChannels, 32, 3, 2, 1, true, rng)
	if err != nil {
		return nil, err
	}
	mods = append(mods, stem)
	in := 32
	for s, st := range effB0 {
		for i := 0; i < st.n; i++ {
			stride := st.stride
			if i > 0 {
				stride = 1
			}
			blk, err := newMBConv(fmt.Sprintf("features.%d.%d", s+1, i), in, st.out, st.expand, st.kernel, stride, rng)
			if err != nil {
				return nil, err
			}
			if p := cfg.StochasticDepth * float64(blockID) / float64(total); blk.Residual && p > 0 {
				if blk.Drop, err = nn.NewStochasticDepth(p); err != nil {
					return nil, err
				}
			}
			blockID++
			mods = append(mods, blk)
			in = st.out
		}
	}
	head, err := convBNAct(fmt.Sprintf("features.%d", len(effB0)+1), in, 1280, 1, 1, 0, true, rng)
	if err != nil {
		return nil, err
	}
	mods = append(mods, head, nn.GlobalAvgPool{})
	out := 1280
	if cfg.NumClasses > 0 {
		drop, err := nn.NewDropout(cfg.Dropout)
		if err != nil {
			return nil, err
		}
		fc, err := nn.NewLinear("classifier.1", 1280, cfg.NumClasses, true, rng)
		if err != nil {
			return nil, err
		}
		// torchvision: U(±1/√out_features) weights and a zero bias.
		bound := 1 / math.Sqrt(float64(cfg.NumClasses))
		w := fc.Weight.Data()
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * bound)
		}
		clear(fc.Bias.Data())
		mods = append(mods, drop, fc)
		out = cfg.NumClasses
	}
	return &Net{Arch: "efficientnet-b0", OutDim: out, InChannels: cfg.InChannels, Layers: nn.NewSequential(mods...)}, nil
}

// convBNAct is torchvision's Conv2dNormActivation: conv (no bias), BN, and
// SiLU when act is set; names name.0 and name.1.
func convBNAct(name string, in, out, k, stride, groups int, act bool, rng *rand.Rand) (*nn.Sequential, error) {
	opt := nn.DefaultConvOptions()
	opt.Stride, opt.Padding, opt.NoBias, opt.KaimingOut = stride, (k-1)/2, true, true
	if groups > 1 {
		opt.Groups = groups
	}
	c, err := nn.NewConv2d(name+".0", in, out, k, opt, rng)
	if err != nil {
		return nil, err
	}
	bn, err := nn.NewBatchNorm2d(name+".1", out, nn.DefaultBNOptions())
	if err != nil {
		return nil, err
	}
	s := nn.NewSequential(c, bn)
	if act {
		s.Modules = append(s.Modules, nn.SiLU{})
	}
	return s, nil
}

// MBConv is EfficientNet's inverted-residual block: optional 1×1
// expansion, depthwise K×K, squeeze-and-excitation, 1×1 projection, and an
// identity shortcut when shape is preserved.
type MBConv struct {
	Block    *nn.Sequential
	Residual bool
	Drop     *nn.StochasticDepth // nil: never drop the branch
}

func newMBConv(name string, in, out, expand, k, stride int, rng *rand.Rand) (*MBConv, error) {
	hidden := in * expand
	var mods []nn.Module
	idx := func() string { return fmt.Sprintf("%s.block.%d", name, len(mods)) }
	if expand != 1 {
		e, err := convBNAct(idx(), in, hidden, 1, 1, 0, true, rng)
		if err != nil {
			return nil, err
		}
		mods = append(mods, e)
	}
	dw, err := convBNAct(idx(), hidden, hidden, k, stride, hidden, true, rng)
	if err != nil {
		return nil, err
	}
	mods = append(mods, dw)
	squeeze := in / 4
	if squeeze < 1 {
		squeeze = 1
	}
	se, err := NewSqueezeExcite(idx(), hidden, squeeze, rng)
	if err != nil {
		return nil, err
	}
	mods = append(mods, se)
	proj, err := convBNAct(idx(), hidden, out, 1, 1, 0, false, rng)
	if err != nil {
		return nil, err
	}
	mods = append(mods, proj)
	return &MBConv{Block: nn.NewSequential(mods...), Residual: stride == 1 && in == out}, nil
}

func (m *MBConv) Children() []nn.Module {
	if m.Drop != nil {
		return []nn.Module{m.Block, m.Drop}
	}
	return []nn.Module{m.Block}
}
func (m *MBConv) Params() []*nn.Param { return m.Block.Params() }
func (m *MBConv) Forward(x *G.Node) (*G.Node, error) {
	y, err := m.Block.Forward(x)
	if err != nil || !m.Residual {
		return y, err
	}
	if m.Drop != nil {
		if y, err = m.Drop.Forward(y); err != nil {
			return nil, err
		}
	}
	return G.Add(y, x)
}

// SqueezeExcite rescales each channel by sigmoid(fc2(SiLU(fc1(mean(x))))),
// with 1×1 convolutions fc1 and fc2 as in torchvision.
type SqueezeExcite struct {
	FC1, FC2 *nn.Conv2d
}

// NewSqueezeExcite makes a squeeze-and-excitation module.
func NewSqueezeExcite(name string, channels, squeeze int, rng *rand.Rand) (*SqueezeExcite, error) {
	// torchvision initialises these convolutions like all the others:
	// He normal (fan-out) weights, zero biases.
	opt := nn.DefaultConvOptions()
	opt.KaimingOut = true
	fc1, err := nn.NewConv2d(name+".fc1", channels, squeeze, 1, opt, rng)
	if err != nil {
		return nil, err
	}
	fc2, err := nn.NewConv2d(name+".fc2", squeeze, channels, 1, opt, rng)
	if err != nil {
		return nil, err
	}
	return &SqueezeExcite{FC1: fc1, FC2: fc2}, nil
}

func (s *SqueezeExcite) Children() []nn.Module { return []nn.Module{s.FC1, s.FC2} }
func (s *SqueezeExcite) Params() []*nn.Param   { return append(s.FC1.Params(), s.FC2.Params()...) }
func (s *SqueezeExcite) Forward(x *G.Node) (*G.Node, error) {
	pooled, err := nn.GlobalAvgPool{}.Forward(x)
	if err != nil {
		return nil, err
	}
	n, c := x.Shape()[0], x.Shape()[1]
	z, err := G.Reshape(pooled, tensor.Shape{n, c, 1, 1})
	if err != nil {
		return nil, err
	}
	z, err = nn.NewSequential(s.FC1, nn.SiLU{}, s.FC2, nn.Sigmoid{}).Forward(z)
	if err != nil {
		return nil, err
	}
	if x.Shape()[2] == 1 && x.Shape()[3] == 1 {
		return G.HadamardProd(x, z)
	}
	return G.BroadcastHadamardProd(x, z, nil, []byte{2, 3})
}
