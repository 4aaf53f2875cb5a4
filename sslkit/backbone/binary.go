package backbone

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// BinaryResNetConfig selects the binary ResNet-18 of S2-BNN. Start from
// DefaultBinaryResNetConfig and change the fields you need; every field is
// used as given.
type BinaryResNetConfig struct {
	// CIFARStem: a 3×3 stride-1 stem without max-pool. Default false.
	CIFARStem bool
	// NumClasses > 0 adds a classifier; 0 (the default) returns the pooled
	// 512-d features.
	NumClasses int
	// InChannels ≥ 1. Default 3.
	InChannels int
}

// DefaultBinaryResNetConfig returns the ImageNet-stem binary ResNet-18 on
// RGB images, without classifier.
func DefaultBinaryResNetConfig() BinaryResNetConfig { return BinaryResNetConfig{InChannels: 3} }

// NewBinaryResNet18 builds a ReActNet-style binary ResNet-18 (Bi-Real
// topology): each basic block is two binary units, and each unit is
//
//	RSign → BinaryConv 3×3 → BN → + shortcut → RPReLU
//
// with a real-valued shortcut around every unit (identity, or 2×2 average
// pooling, 1×1 convolution and BN where the shape changes). Activations
// and weights of the 3×3 convolutions are binary with straight-through
// gradients; the stem convolution and the classifier stay real-valued,
// as in ReActNet and S2-BNN.
func NewBinaryResNet18(cfg BinaryResNetConfig, rng *rand.Rand) (*Net, error) {
	if err := checkChannels("BinaryResNetConfig", "DefaultBinaryResNetConfig()", cfg.InChannels, cfg.NumClasses); err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	b := &builder{}
	b.stem(cfg.InChannels, cfg.CIFARStem, rng)
	if !cfg.CIFARStem {
		b.add(imagenetMaxPool(), nil)
	}
	in := 64
	for stage := 0; stage < 4; stage++ {
		width := 64 << stage
		for i := 0; i < 2; i++ {
			stride := stageStride(stage, i)
			name := fmt.Sprintf("layer%d.%d", stage+1, i)
			u1, err := newBinaryUnit(name+".unit1", in, width, stride, rng)
			b.add(u1, err)
			u2, err := newBinaryUnit(name+".unit2", width, width, 1, rng)
			b.add(u2, err)
			in = width
		}
	}
	return b.finishResNet("binary-resnet18", cfg.CIFARStem, cfg.InChannels, in, cfg.NumClasses, rng)
}

// BinaryUnit is one binary convolution with its own shortcut.
type BinaryUnit struct {
	Sign     *nn.RSign
	Conv     *nn.BinaryConv2d
	BN       *nn.BatchNorm
	Shortcut *nn.Sequential // nil: identity
	Act      *nn.RPReLU
}

func newBinaryUnit(name string, in, out, stride int, rng *rand.Rand) (*BinaryUnit, error) {
	u := &BinaryUnit{}
	var err error
	if u.Sign, err = nn.NewRSign(name+".move", in); err != nil {
		return nil, err
	}
	if u.Conv, err = nn.NewBinaryConv2d(name+".conv", in, out, 3, stride, 1, rng); err != nil {
		return nil, err
	}
	if u.BN, err = nn.NewBatchNorm2d(name+".bn", out, nn.DefaultBNOptions()); err != nil {
		return nil, err
	}
	if stride != 1 || in != out {
		var sc []nn.Module
		if stride != 1 {
			sc = append(sc, nn.AvgPool2d{Kernel: stride, Opt: nn.DefaultAvgPoolOptions(stride)})
		}
		c, err := nn.NewConv2d(name+".downsample.1", in, out, 1, resnetConv(1, 0), rng)
		if err != nil {
			return nil, err
		}
		bn, err := nn.NewBatchNorm2d(name+".downsample.2", out, nn.DefaultBNOptions())
		if err != nil {
			return nil, err
		}
		u.Shortcut = nn.NewSequential(append(sc, c, bn)...)
	}
	if u.Act, err = nn.NewRPReLU(name+".act", out); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *BinaryUnit) Children() []nn.Module {
	c := []nn.Module{u.Sign, u.Conv, u.BN, u.Act}
	if u.Shortcut != nil {
		c = append(c, u.Shortcut)
	}
	return c
}

func (u *BinaryUnit) Params() []*nn.Param {
	var ps []*nn.Param
	for _, m := range u.Children() {
		ps = append(ps, m.Params()...)
	}
	return ps
}

func (u *BinaryUnit) Forward(x *G.Node) (*G.Node, error) {
	y, err := nn.NewSequential(u.Sign, u.Conv, u.BN).Forward(x)
	if err != nil {
		return nil, err
	}
	s := x
	if u.Shortcut != nil {
		if s, err = u.Shortcut.Forward(x); err != nil {
			return nil, err
		}
	}
	sum, err := G.Add(y, s)
	if err != nil {
		// Odd feature maps: the 3×3 stride-2 conv rounds up, 2×2 pooling down.
		return nil, fmt.Errorf("binary unit %s: branch %v and shortcut %v differ (use even feature-map sizes): %w",
			u.Conv.Weight.Name, y.Shape(), s.Shape(), err)
	}
	return u.Act.Forward(sum)
}
