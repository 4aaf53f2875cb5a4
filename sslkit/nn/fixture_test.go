package nn

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type fixtureCase = gradcheck.Fixture
type fixtureTensor = gradcheck.FixtureTensor

func loadFixtures(t *testing.T, file string) map[string]fixtureCase {
	t.Helper()
	fx, err := gradcheck.LoadFixtures(file)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// fixtureTol is the bar of issue 5: 1e-4 relative to the reference's scale
// (its largest magnitude, at least fixtureFloor: some exact gradients are
// zero, e.g. attention's key bias, and both sides then hold float32
// rounding noise of ~1e-7).
const (
	fixtureTol   = 1e-4
	fixtureFloor = 1e-2
)

func compare(t *testing.T, what string, v G.Value, want fixtureTensor) {
	t.Helper()
	got, err := gradcheck.Float64s(v)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	e, err := gradcheck.RelErr(got, want.Data, fixtureFloor)
	if err != nil || e > fixtureTol {
		t.Errorf("%s: relative error %.3g (limit %g) %v", what, e, fixtureTol, err)
	}
}

// runFixture loads the case's parameters into m, runs it, and compares
// output, input gradient, parameter gradients and updated buffers with
// PyTorch's.
func runFixture(t *testing.T, c fixtureCase, m Module) {
	t.Helper()
	SetTraining(m, c.Train)
	state, err := StateDict(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(state) != len(c.Params) {
		t.Errorf("module has %d parameters and buffers, PyTorch %d", len(state), len(c.Params))
	}
	for name, v := range c.Params {
		p, ok := state[name]
		if !ok {
			t.Fatalf("no parameter %q in the Go module", name)
		}
		if !p.Value.Shape().Eq(tensor.Shape(v.Shape)) && !(len(v.Shape) == 0 && p.Size() == 1) {
			t.Fatalf("%s: shape %v, PyTorch %v", name, p.Value.Shape(), v.Shape)
		}
		if err := p.Set(v.Dense().Data().([]float32)); err != nil {
			t.Fatal(err)
		}
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, len(c.Input.Shape), G.WithShape(c.Input.Shape...), G.WithName("x"), G.WithValue(c.Input.Dense()))
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape(c.Output.Shape)) {
		t.Fatalf("output shape %v, PyTorch %v", y.Shape(), c.Output.Shape)
	}
	// Read copies y when it is computed: gorgonia may later overwrite a
	// node's memory in place, so y.Value() after the run is not reliable.
	var out G.Value
	G.Read(y, &out)
	r := G.NewConstant(c.Projection.Dense(), G.WithName("R"))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	params := m.Params()
	wrt := append(G.Nodes{x}, ParamNodes(m, g)...)
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	compare(t, "output", out, c.Output)
	compare(t, "grad input", grads[0].Value(), c.GradInput)
	for i, p := range params {
		want, ok := c.GradParams[p.Name]
		if !ok {
			t.Errorf("PyTorch has no gradient for %s", p.Name)
			continue
		}
		compare(t, "grad "+p.Name, grads[i+1].Value(), want)
	}
	for name, want := range c.BuffersAfter {
		compare(t, "buffer "+name+" after the step", state[name].Value, want)
	}
}

func TestLayersMatchPyTorch(t *testing.T) {
	fx := loadFixtures(t, "testdata/layers.json")
	type ctor func() (Module, error)
	mlp := func() (Module, error) {
		return NewMLP("mlp", []int{6, 8, 8, 4}, MLPOptions{HiddenBN: true}, nil)
	}
	block := func(in, out, stride int, bottleneck bool) ctor {
		return func() (Module, error) {
			if bottleneck {
				return NewBottleneck("block", in, out, stride, BlockOptions{}, nil)
			}
			return NewBasicBlock("block", in, out, stride, BlockOptions{}, nil)
		}
	}
	mods := map[string]ctor{
		"linear":        func() (Module, error) { return NewLinear("fc", 5, 3, true, nil) },
		"linear_nobias": func() (Module, error) { return NewLinear("fc", 5, 3, false, nil) },
		"conv2d":        func() (Module, error) { return NewConv2d("conv", 3, 4, 3, ConvOptions{Stride: 2, Padding: 1}, nil) },
		"conv2d_dilated": func() (Module, error) {
			return NewConv2d("conv", 2, 3, 3, ConvOptions{Padding: 2, Dilation: 2, NoBias: true}, nil)
		},
		"conv2d_floor":  func() (Module, error) { return NewConv2d("conv", 2, 3, 3, ConvOptions{Stride: 2, Padding: 1}, nil) },
		"maxpool_floor": func() (Module, error) { return MaxPool2d{Kernel: 3, Stride: 2, Padding: 1}, nil },
		"avgpool_floor": func() (Module, error) { return AvgPool2d{Kernel: 3, Stride: 2, Padding: 1}, nil },
		"depthwise_floor": func() (Module, error) {
			return NewConv2d("dw", 2, 2, 3, ConvOptions{Stride: 2, Padding: 1, Groups: 2, NoBias: true}, nil)
		},
		"conv2d_1x1": func() (Module, error) { return NewConv2d("conv", 4, 6, 1, ConvOptions{NoBias: true}, nil) },
		"depthwise": func() (Module, error) {
			return NewConv2d("dw", 3, 3, 5, ConvOptions{Stride: 2, Padding: 2, Groups: 3, NoBias: true}, nil)
		},
		"depthwise_bias":       func() (Module, error) { return NewConv2d("dw", 4, 4, 3, ConvOptions{Padding: 1, Groups: 4}, nil) },
		"batchnorm1d_train":    func() (Module, error) { return NewBatchNorm1d("bn", 4, BNOptions{}) },
		"batchnorm1d_eval":     func() (Module, error) { return NewBatchNorm1d("bn", 4, BNOptions{}) },
		"batchnorm2d_train":    func() (Module, error) { return NewBatchNorm2d("bn", 3, BNOptions{}) },
		"batchnorm2d_eval":     func() (Module, error) { return NewBatchNorm2d("bn", 3, BNOptions{}) },
		"batchnorm2d_noaffine": func() (Module, error) { return NewBatchNorm2d("bn", 3, BNOptions{NoAffine: true}) },
		"layernorm":            func() (Module, error) { return NewLayerNorm("ln", 8) },
		"relu":                 func() (Module, error) { return ReLU{}, nil },
		"gelu":                 func() (Module, error) { return GELU{}, nil },
		"silu":                 func() (Module, error) { return SiLU{}, nil },
		"sigmoid":              func() (Module, error) { return Sigmoid{}, nil },
		"prelu":                func() (Module, error) { return NewPReLU("act", 3, 0.25) },
		"prelu_shared":         func() (Module, error) { return NewPReLU("act", 1, 0.25) },
		"maxpool_k3s2p1":       func() (Module, error) { return MaxPool2d{Kernel: 3, Stride: 2, Padding: 1}, nil },
		"maxpool_k2":           func() (Module, error) { return MaxPool2d{Kernel: 2}, nil },
		"avgpool_k3s2p1":       func() (Module, error) { return AvgPool2d{Kernel: 3, Stride: 2, Padding: 1}, nil },
		"avgpool_k2":           func() (Module, error) { return AvgPool2d{Kernel: 2}, nil },
		"global_avgpool":       func() (Module, error) { return GlobalAvgPool{}, nil },
		"mlp_bn":               mlp,
		"rsign":                func() (Module, error) { return NewRSign("sign.move", 3) },
		"rprelu":               func() (Module, error) { return NewRPReLU("act", 3) },
		"binary_conv":          func() (Module, error) { return NewBinaryConv2d("conv", 3, 4, 3, 2, 1, nil) },
		"attention":            func() (Module, error) { return NewAttention("attn", 8, 2, nil) },
		"shifted_window_block": func() (Module, error) {
			b, err := NewTransformerBlock("blk", 8, 2, 6, 6, 3, 2, nil)
			if err == nil {
				b.Shift = 1
			}
			return b, err
		},
		"window_block":         func() (Module, error) { return NewTransformerBlock("blk", 8, 2, 4, 6, 2, 2, nil) },
		"basic_block":          block(4, 8, 2, false),
		"basic_block_identity": block(4, 4, 1, false),
		"bottleneck":           block(8, 4, 2, true),
	}
	for name := range fx {
		if _, ok := mods[name]; !ok {
			t.Errorf("fixture %q has no Go test", name)
		}
	}
	for name, mk := range mods {
		c, ok := fx[name]
		if !ok {
			t.Errorf("no fixture %q: rerun testdata/gen_fixtures.py", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			m, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			runFixture(t, c, m)
		})
	}
}
