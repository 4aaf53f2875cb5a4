package nn

import (
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// checkGradients runs m on a random input of the given shape and compares
// the gradients of a random projection of its output, with respect to the
// input and every parameter, against finite differences.
func checkGradients(t *testing.T, m Module, shape tensor.Shape, opt gradcheck.Options) {
	t.Helper()
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, shape.Dims(), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(gradcheck.RandomTensor(tensor.Float32, shape, 7, 1)))
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gradcheck.Projection(y, 11)
	if err != nil {
		t.Fatal(err)
	}
	wrt := append(G.Nodes{x}, ParamNodes(m, g)...)
	if err := gradcheck.Check(cost, wrt, opt); err != nil {
		t.Error(err)
	}
}

func must(t *testing.T) func(Module, error) Module {
	return func(m Module, err error) Module {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

func TestGradients(t *testing.T) {
	m := must(t)
	cases := []struct {
		name  string
		mod   Module
		shape tensor.Shape
	}{
		{"Linear", m(NewLinear("fc", 5, 3, true, seeded())), tensor.Shape{4, 5}},
		{"LinearNoBias", m(NewLinear("fc", 5, 3, false, seeded())), tensor.Shape{4, 5}},
		{"Conv2d", m(NewConv2d("c", 2, 3, 3, ConvOptions{Dilation: 1, Groups: 1, Stride: 2, Padding: 1}, seeded())), tensor.Shape{2, 2, 5, 5}},
		{"Depthwise", m(NewConv2d("dw", 3, 3, 3, ConvOptions{Dilation: 1, Stride: 2, Padding: 1, Groups: 3}, seeded())), tensor.Shape{2, 3, 5, 5}},
		{"BatchNorm1d", m(NewBatchNorm1d("bn", 3, DefaultBNOptions())), tensor.Shape{5, 3}},
		{"BatchNorm2d", m(NewBatchNorm2d("bn", 2, DefaultBNOptions())), tensor.Shape{3, 2, 3, 3}},
		{"BatchNorm2dNoAffine", m(NewBatchNorm2d("bn", 2, BNOptions{Eps: 1e-5, Momentum: 0.1, NoAffine: true})), tensor.Shape{3, 2, 2, 2}},
		{"LayerNorm2D", m(NewLayerNorm("ln", 6, DefaultLayerNormOptions())), tensor.Shape{3, 6}},
		{"LayerNorm3D", m(NewLayerNorm("ln", 4, DefaultLayerNormOptions())), tensor.Shape{2, 3, 4}},
		{"GELU", GELU{}, tensor.Shape{3, 4}},
		{"BatchNorm2d+ReLU fused", NewSequential(m(NewBatchNorm2d("bn", 2, DefaultBNOptions())), ReLU{}), tensor.Shape{3, 2, 3, 3}},
		{"BatchNorm1d+ReLU fused", NewSequential(m(NewBatchNorm1d("bn", 3, DefaultBNOptions())), ReLU{}), tensor.Shape{5, 3}},
		{"BatchNorm2dNoAffine+ReLU fused", NewSequential(m(NewBatchNorm2d("bn", 2, BNOptions{Eps: 1e-5, Momentum: 0.1, NoAffine: true})), &ReLU{}), tensor.Shape{3, 2, 2, 2}},
		{"SiLU", SiLU{}, tensor.Shape{3, 4}},
		{"PReLU", m(NewPReLU("act", 3, 0.25)), tensor.Shape{2, 3, 2, 2}},
		{"AvgPool2d", AvgPool2d{Kernel: 3, Opt: AvgPoolOptions{Stride: 2, Padding: 1, CountIncludePad: true}}, tensor.Shape{2, 2, 5, 5}},
		{"MaxPool2d", MaxPool2d{Kernel: 2, Opt: MaxPoolOptions{Stride: 2}}, tensor.Shape{2, 2, 4, 4}},
		{"Linear3D", m(NewLinear("fc", 4, 3, true, seeded())), tensor.Shape{2, 3, 4}},
		{"Attention", m(NewAttention("attn", 4, 2, seeded())), tensor.Shape{2, 3, 4}},
		{"WindowBlock", m(NewTransformerBlock("blk", 4, 2, 2, 4, 2, 2, seeded())), tensor.Shape{1, 8, 4}},
		{"ReLU", ReLU{}, tensor.Shape{3, 4}},
		{"Sigmoid", Sigmoid{}, tensor.Shape{3, 4}},
		// GELU: a ReLU kink crossed by the perturbation would fool the check.
		{"MLP", m(NewMLP("mlp", []int{4, 6, 3}, MLPOptions{BN: DefaultBNOptions(), HiddenBN: true, Activation: "gelu"}, seeded())), tensor.Shape{5, 4}},
		// ReLU after BatchNorm: with this fixed seed no activation sits within eps of the kink.
		{"BasicBlock", m(NewBasicBlock("b", 2, 3, 2, DefaultBlockOptions(), seeded())), tensor.Shape{2, 2, 4, 4}},
		{"Flatten", Flatten{}, tensor.Shape{2, 2, 3}},
		{"ShiftedWindowBlock", shifted(m(NewTransformerBlock("blk", 4, 2, 4, 4, 2, 2, seeded()))), tensor.Shape{1, 16, 4}},
		{"GlobalAvgPool", GlobalAvgPool{}, tensor.Shape{2, 3, 3, 4}},
		{"GroupConv", m(NewConv2d("g", 4, 6, 3, ConvOptions{Stride: 2, Padding: 1, Dilation: 1, Groups: 2}, seeded())), tensor.Shape{2, 4, 5, 5}},
		{"GroupConvDilated", m(NewConv2d("g", 4, 4, 3, ConvOptions{Stride: 1, Padding: 2, Dilation: 2, Groups: 2, NoBias: true}, seeded())), tensor.Shape{2, 4, 5, 5}},
		{"DepthwiseMultiplier", m(NewConv2d("dw", 2, 4, 3, ConvOptions{Stride: 1, Padding: 1, Dilation: 1, Groups: 2}, seeded())), tensor.Shape{2, 2, 4, 4}},
		{"AvgPool2dCeilExcludePad", AvgPool2d{Kernel: 3, Opt: AvgPoolOptions{Stride: 2, Padding: 1, CeilMode: true}}, tensor.Shape{2, 2, 6, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c.mod, c.shape, gradcheck.Options{}) })
	}
}

func TestGradientsEvalBatchNorm(t *testing.T) {
	bn, err := NewBatchNorm2d("bn", 2, DefaultBNOptions())
	if err != nil {
		t.Fatal(err)
	}
	copy(bn.RunningMean.Data(), []float32{0.3, -0.2})
	copy(bn.RunningVar.Data(), []float32{0.5, 2})
	copy(bn.Weight.Data(), []float32{1.5, -0.7})
	bn.SetTraining(false)
	checkGradients(t, bn, tensor.Shape{2, 2, 3, 3}, gradcheck.Options{})
}

// seeded gives each layer under test its own fixed generator, so that a
// test's weights do not depend on which other tests ran first.
func seeded() *rand.Rand { return rand.New(rand.NewSource(3)) }

func TestGradientsBinaryLayers(t *testing.T) {
	m := must(t)
	// Sign has no true gradient: check the pieces around it instead.
	checkGradients(t, m(NewChannelBias("b", 3)), tensor.Shape{2, 3, 2, 2}, gradcheck.Options{})
	checkGradients(t, m(NewRPReLU("act", 3)), tensor.Shape{2, 3, 2, 2}, gradcheck.Options{})
}

func shifted(m Module) Module {
	m.(*TransformerBlock).Shift = 1
	return m
}
