package backbone

import (
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
)

// The parts that ResNet and the binary ResNet-18 share: torchvision's stem
// and stage layout and the pooled (optionally classified) output.

// stem adds conv1 and bn1: ImageNet's 7×7 stride-2 convolution or, with
// the CIFAR stem, a 3×3 stride-1 one (the caller adds ReLU and max-pool).
func (b *builder) stem(inChannels int, cifar bool, rng *rand.Rand) {
	opt := resnetConv(1, 1)
	kernel := 3
	if !cifar {
		opt.Stride, opt.Padding, kernel = 2, 3, 7
	}
	b.conv(nn.NewConv2d("conv1", inChannels, 64, kernel, opt, rng))
	b.bn(nn.NewBatchNorm2d("bn1", 64, nn.DefaultBNOptions()))
}

// imagenetMaxPool is the stem's 3×3 stride-2 max-pool.
func imagenetMaxPool() *nn.MaxPool2d {
	return &nn.MaxPool2d{Kernel: 3, Opt: nn.MaxPoolOptions{Stride: 2, Padding: 1}}
}

// resnetConv is torchvision's ResNet convolution: no bias, He fan-out init.
func resnetConv(stride, pad int) nn.ConvOptions {
	o := nn.DefaultConvOptions()
	o.Stride, o.Padding, o.NoBias, o.KaimingOut = stride, pad, true, true
	return o
}

// stageStride is the stride of block i of a stage: every stage after the
// first halves the resolution in its first block.
func stageStride(stage, i int) int {
	if i == 0 && stage > 0 {
		return 2
	}
	return 1
}

// finishResNet adds global average pooling and, with numClasses > 0, the
// "fc" classifier, then returns the Net (arch gets "-cifar" with the CIFAR
// stem); in is the channel count after the last stage.
func (b *builder) finishResNet(arch string, cifar bool, inChannels, in, numClasses int, rng *rand.Rand) (*Net, error) {
	b.add(nn.GlobalAvgPool{}, nil)
	out := in
	if numClasses > 0 {
		fc, err := nn.NewLinear("fc", in, numClasses, true, rng)
		b.add(fc, err)
		out = numClasses
	}
	if b.err != nil {
		return nil, b.err
	}
	if cifar {
		arch += "-cifar"
	}
	return &Net{Arch: arch, OutDim: out, InChannels: inChannels, Layers: nn.NewSequential(b.mods...)}, nil
}
