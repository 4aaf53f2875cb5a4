package backbone

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
)

// ResNetConfig selects a ResNet. Start from DefaultResNetConfig and change
// the fields you need; every field is used as given.
type ResNetConfig struct {
	// Depth is 18, 34 or 50.
	Depth int
	// CIFARStem replaces the 7×7 stride-2 convolution and max-pool with a
	// 3×3 stride-1 convolution (for 32×32 inputs, as SimCLR and lightly
	// do). Default false, torchvision's ImageNet stem.
	CIFARStem bool
	// ZeroInitResidual starts each block's last BatchNorm at γ = 0.
	// Default false, as torchvision's zero_init_residual.
	ZeroInitResidual bool
	// NumClasses > 0 adds the final Linear layer ("fc"); 0 (the default)
	// returns the pooled features (512 or 2048), which SSL methods use.
	NumClasses int
	// InChannels ≥ 1 of the input images. Default 3.
	InChannels int
}

// DefaultResNetConfig returns torchvision's ResNet of the given depth (18,
// 34 or 50) on RGB images, without the classifier.
func DefaultResNetConfig(depth int) ResNetConfig { return ResNetConfig{Depth: depth, InChannels: 3} }

var resnetLayers = map[int][4]int{18: {2, 2, 2, 2}, 34: {3, 4, 6, 3}, 50: {3, 4, 6, 3}}

// NewResNet builds a torchvision-compatible ResNet (names "conv1.weight",
// "layer3.1.bn2.running_mean", "fc.bias"). rng may be nil.
func NewResNet(cfg ResNetConfig, rng *rand.Rand) (*Net, error) {
	blocks, ok := resnetLayers[cfg.Depth]
	if !ok {
		return nil, fmt.Errorf("backbone: ResNet depth %d not supported (18, 34, 50)", cfg.Depth)
	}
	if err := checkChannels("ResNetConfig", "DefaultResNetConfig(depth)", cfg.InChannels, cfg.NumClasses); err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	b := &builder{}
	b.stem(cfg.InChannels, cfg.CIFARStem, rng)
	b.add(nn.ReLU{}, nil)
	if !cfg.CIFARStem {
		b.add(imagenetMaxPool(), nil)
	}
	in := 64
	opt := nn.DefaultBlockOptions()
	opt.ZeroInitResidual = cfg.ZeroInitResidual
	for stage, n := range blocks {
		width := 64 << stage
		for i := 0; i < n; i++ {
			stride := stageStride(stage, i)
			name := fmt.Sprintf("layer%d.%d", stage+1, i)
			if cfg.Depth >= 50 {
				blk, err := nn.NewBottleneck(name, in, width, stride, opt, rng)
				b.add(blk, err)
				in = width * nn.BottleneckExpansion
			} else {
				blk, err := nn.NewBasicBlock(name, in, width, stride, opt, rng)
				b.add(blk, err)
				in = width
			}
		}
	}
	return b.finishResNet(fmt.Sprintf("resnet%d", cfg.Depth), cfg.CIFARStem, cfg.InChannels, in, cfg.NumClasses, rng)
}
