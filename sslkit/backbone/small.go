package backbone

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
)

// NewMLP is a fully connected backbone for flattened inputs (N, C, H, W)
// or vectors: Flatten, then Linear–BN–ReLU layers of the hidden sizes, then
// a Linear to out. It suits MNIST-sized experiments.
func NewMLP(inShape []int, hidden []int, out int, rng *rand.Rand) (*Net, error) {
	if len(inShape) != 3 {
		return nil, fmt.Errorf("backbone: MLP input shape must be (C, H, W), got %v", inShape)
	}
	in := inShape[0] * inShape[1] * inShape[2]
	dims := append(append([]int{in}, hidden...), out)
	opt := nn.DefaultMLPOptions()
	opt.HiddenBN = true
	mlp, err := nn.NewMLP("mlp", dims, opt, rng)
	if err != nil {
		return nil, err
	}
	return &Net{Arch: "mlp", OutDim: out, InChannels: inShape[0], Layers: nn.NewSequential(nn.Flatten{}, mlp)}, nil
}

// NewSmallCNN is a small convolutional backbone for 28×28 images (MNIST,
// Fashion-MNIST): two conv(3×3)–BN–ReLU–maxpool(2) stages of 32 and 64
// channels, then Linear(64·7·7 → features)–BN–ReLU.
func NewSmallCNN(inChannels, features int, rng *rand.Rand) (*Net, error) {
	if inChannels < 1 || features < 1 {
		return nil, fmt.Errorf("backbone: SmallCNN needs positive channels and features, got %d, %d", inChannels, features)
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	b := &builder{}
	pad := nn.DefaultConvOptions()
	pad.Padding, pad.NoBias = 1, true
	b.conv(nn.NewConv2d("conv1", inChannels, 32, 3, pad, rng))
	b.bn(nn.NewBatchNorm2d("bn1", 32, nn.DefaultBNOptions()))
	b.add(nn.ReLU{}, nil)
	b.add(&nn.MaxPool2d{Kernel: 2, Opt: nn.DefaultMaxPoolOptions(2)}, nil)
	b.conv(nn.NewConv2d("conv2", 32, 64, 3, pad, rng))
	b.bn(nn.NewBatchNorm2d("bn2", 64, nn.DefaultBNOptions()))
	b.add(nn.ReLU{}, nil)
	b.add(&nn.MaxPool2d{Kernel: 2, Opt: nn.DefaultMaxPoolOptions(2)}, nil)
	b.add(nn.Flatten{}, nil)
	fc, err := nn.NewLinear("fc", 64*7*7, features, false, rng)
	b.add(fc, err)
	bn, err := nn.NewBatchNorm1d("bn3", features, nn.DefaultBNOptions())
	b.add(bn, err)
	b.add(nn.ReLU{}, nil)
	if b.err != nil {
		return nil, b.err
	}
	return &Net{Arch: "small-cnn", OutDim: features, InChannels: inChannels, Layers: nn.NewSequential(b.mods...)}, nil
}
