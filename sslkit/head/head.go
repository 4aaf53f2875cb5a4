package head

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// Head is an MLP head on (N, In) features giving (N, Out).
type Head struct {
	Arch    string
	In, Out int
	MLP     *nn.Sequential
}

func (h *Head) Children() []nn.Module { return []nn.Module{h.MLP} }
func (h *Head) Params() []*nn.Param   { return h.MLP.Params() }
func (h *Head) NumParams() int        { return nn.CountParams(h) }

// Forward maps (N, In) to (N, Out).
func (h *Head) Forward(x *G.Node) (*G.Node, error) {
	if x == nil || x.Dims() != 2 || x.Shape()[1] != h.In {
		return nil, fmt.Errorf("head %s: want (N, %d) features, got %v", h.Arch, h.In, shapeOf(x))
	}
	return h.MLP.Forward(x)
}

// New builds a head with layer sizes dims (input first) and the given MLP
// options; the presets below cover the published heads. Parameter names
// are name.0.weight, name.1.running_mean, … as in a torch.nn.Sequential.
// A nil rng draws from nn.DefaultRand, the process-wide stream.
func New(arch, name string, dims []int, opt nn.MLPOptions, rng *rand.Rand) (*Head, error) {
	if len(dims) < 2 {
		return nil, fmt.Errorf("head %s: need input and output sizes, got %v", arch, dims)
	}
	m, err := nn.NewMLP(name, dims, opt, rng)
	if err != nil {
		return nil, fmt.Errorf("head %s: %w", arch, err)
	}
	return &Head{Arch: arch, In: dims[0], Out: dims[len(dims)-1], MLP: m}, nil
}

// mlpOptions returns nn.DefaultMLPOptions changed by set.
func mlpOptions(set func(*nn.MLPOptions)) nn.MLPOptions {
	o := nn.DefaultMLPOptions()
	set(&o)
	return o
}

// SimCLRProjector is SimCLR's g(·): Linear–ReLU–Linear (paper: hidden = in,
// out = 128).
func SimCLRProjector(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	return New("simclr-projector", name, []int{in, hidden, out}, nn.DefaultMLPOptions(), rng)
}

// SimCLRv2Projector is SimCLR v2's three-layer projector with BatchNorm
// after every layer (the last without ReLU).
func SimCLRv2Projector(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	return New("simclr-v2-projector", name, []int{in, hidden, hidden, out}, mlpOptions(func(o *nn.MLPOptions) { o.HiddenBN = true; o.OutputBN = true }), rng)
}

// MoCoV2Projector is MoCo v2's Linear–ReLU–Linear head (2048 → 128 for
// ResNet-50; DisCo widens the hidden layer to 2048 for small students).
func MoCoV2Projector(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	return New("moco-v2-projector", name, []int{in, hidden, out}, nn.DefaultMLPOptions(), rng)
}

// BYOLMLP is BYOL's projector and predictor: Linear–BN–ReLU–Linear
// (paper: hidden 4096, out 256). The hidden Linear keeps its bias, as in
// BYOL's code.
func BYOLMLP(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	return New("byol-mlp", name, []int{in, hidden, out}, mlpOptions(func(o *nn.MLPOptions) { o.HiddenBN = true; o.BiasBeforeBN = true }), rng)
}

// SimSiamProjector is SimSiam's three-layer projector: (Linear–BN–ReLU)×2,
// Linear, BN without affine parameters; biases dropped before BN
// (paper: hidden = out = 2048).
func SimSiamProjector(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	return New("simsiam-projector", name, []int{in, hidden, hidden, out},
		mlpOptions(func(o *nn.MLPOptions) { o.HiddenBN = true; o.OutputBN = true; o.OutputBNNoAffine = true }), rng)
}

// SimSiamPredictor is SimSiam's bottleneck predictor: Linear(no bias)–BN–
// ReLU–Linear (paper: 2048 → 512 → 2048).
func SimSiamPredictor(name string, dim, hidden int, rng *rand.Rand) (*Head, error) {
	return New("simsiam-predictor", name, []int{dim, hidden, dim}, mlpOptions(func(o *nn.MLPOptions) { o.HiddenBN = true }), rng)
}

// BarlowTwinsProjector is Barlow Twins' projector: (Linear–BN–ReLU)×2 and
// a final Linear, all without bias (paper: 8192-8192-8192).
func BarlowTwinsProjector(name string, in, hidden, out int, rng *rand.Rand) (*Head, error) {
	h, err := New("barlow-twins-projector", name, []int{in, hidden, hidden, out}, mlpOptions(func(o *nn.MLPOptions) { o.HiddenBN = true }), rng)
	if err != nil {
		return nil, err
	}
	// The reference code has no bias on the final Linear either.
	last := h.MLP.Modules[len(h.MLP.Modules)-1].(*nn.Linear)
	last.Bias = nil
	return h, nil
}
