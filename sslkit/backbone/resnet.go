package backbone

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
)

// ResNetConfig selects a ResNet.
type ResNetConfig struct {
	// Depth is 18, 34 or 50.
	Depth int
	// CIFARStem replaces the 7×7 stride-2 convolution and max-pool with a
	// 3×3 stride-1 convolution (for 32×32 inputs, as SimCLR and lightly do).
	CIFARStem bool
	// ZeroInitResidual starts each block's last BatchNorm at γ = 0.
	ZeroInitResidual bool
	// NumClasses > 0 adds the final Linear layer ("fc"); 0 returns the
	// pooled features (512 or 2048), which is what SSL methods use.
	NumClasses int
	// InChannels defaults to 3.
	InChannels int
}

var resnetLayers = map[int][4]int{18: {2, 2, 2, 2}, 34: {3, 4, 6, 3}, 50: {3, 4, 6, 3}}

// NewResNet builds a torchvision-compatible ResNet (names "conv1.weight",
// "layer3.1.bn2.running_mean", "fc.bias"). rng may be nil.
func NewResNet(cfg ResNetConfig, rng *rand.Rand) (*Net, error) {
	blocks, ok := resnetLayers[cfg.Depth]
	if !ok {
		return nil, fmt.Errorf("backbone: ResNet depth %d not supported (18, 34, 50)", cfg.Depth)
	}
	if cfg.InChannels == 0 {
		cfg.InChannels = 3
	}
	if cfg.InChannels < 0 || cfg.NumClasses < 0 {
		return nil, fmt.Errorf("backbone: negative channels or classes in %+v", cfg)
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(1))
	}
	b := &builder{}
	b.stem(cfg.InChannels, cfg.CIFARStem, rng)
	b.add(nn.ReLU{}, nil)
	if !cfg.CIFARStem {
		b.add(nn.MaxPool2d{Kernel: 3, Stride: 2, Padding: 1}, nil)
	}
	in := 64
	opt := nn.BlockOptions{ZeroInitResidual: cfg.ZeroInitResidual}
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
