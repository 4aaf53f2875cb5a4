package nn_test

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/gradcheck/layerfixture"
	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// checkParamShapes stops the test when a parameter's shape differs from
// PyTorch's (Set only checks the element count); a 0-d PyTorch tensor
// matches a one-element parameter.
func checkParamShapes(t *testing.T, c gradcheck.Fixture, m nn.Module) {
	t.Helper()
	state, err := nn.StateDict(m)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range c.Params {
		p, ok := state[name]
		if !ok {
			t.Fatalf("no parameter %q in the Go module", name)
		}
		if !p.Value.Shape().Eq(tensor.Shape(v.Shape)) && !(len(v.Shape) == 0 && p.Size() == 1) {
			t.Fatalf("%s: shape %v, PyTorch %v", name, p.Value.Shape(), v.Shape)
		}
	}
}

func TestLayersMatchPyTorch(t *testing.T) {
	fx, err := gradcheck.LoadFixtures("testdata/layers.json")
	if err != nil {
		t.Fatal(err)
	}
	type ctor func() (nn.Module, error)
	mlp := func() (nn.Module, error) {
		return nn.NewMLP("mlp", []int{6, 8, 8, 4}, nn.MLPOptions{Activation: "relu", BN: nn.DefaultBNOptions(), HiddenBN: true}, nil)
	}
	block := func(in, out, stride int, bottleneck bool) ctor {
		return func() (nn.Module, error) {
			if bottleneck {
				return nn.NewBottleneck("block", in, out, stride, nn.DefaultBlockOptions(), nil)
			}
			return nn.NewBasicBlock("block", in, out, stride, nn.DefaultBlockOptions(), nil)
		}
	}
	convNamed := func(name string, in, out, k int, set func(*nn.ConvOptions)) ctor {
		return func() (nn.Module, error) {
			o := nn.DefaultConvOptions()
			set(&o)
			return nn.NewConv2d(name, in, out, k, o, nil)
		}
	}
	conv := func(in, out, k int, set func(*nn.ConvOptions)) ctor { return convNamed("conv", in, out, k, set) }
	avg := func(k int, set func(*nn.AvgPoolOptions)) ctor {
		return func() (nn.Module, error) {
			o := nn.DefaultAvgPoolOptions(k)
			set(&o)
			return nn.NewAvgPool2d(k, o)
		}
	}
	mods := map[string]ctor{
		"linear":        func() (nn.Module, error) { return nn.NewLinear("fc", 5, 3, true, nil) },
		"linear_nobias": func() (nn.Module, error) { return nn.NewLinear("fc", 5, 3, false, nil) },
		"conv2d": func() (nn.Module, error) {
			return nn.NewConv2d("conv", 3, 4, 3, nn.ConvOptions{Dilation: 1, Groups: 1, Stride: 2, Padding: 1}, nil)
		},
		"conv2d_dilated": func() (nn.Module, error) {
			return nn.NewConv2d("conv", 2, 3, 3, nn.ConvOptions{Stride: 1, Groups: 1, Padding: 2, Dilation: 2, NoBias: true}, nil)
		},
		"conv2d_floor": func() (nn.Module, error) {
			return nn.NewConv2d("conv", 2, 3, 3, nn.ConvOptions{Dilation: 1, Groups: 1, Stride: 2, Padding: 1}, nil)
		},
		"maxpool_floor": func() (nn.Module, error) {
			return nn.MaxPool2d{Kernel: 3, Opt: nn.MaxPoolOptions{Stride: 2, Padding: 1}}, nil
		},
		"avgpool_floor": func() (nn.Module, error) {
			return nn.AvgPool2d{Kernel: 3, Opt: nn.AvgPoolOptions{Stride: 2, Padding: 1, CountIncludePad: true}}, nil
		},
		"depthwise_floor": func() (nn.Module, error) {
			return nn.NewConv2d("dw", 2, 2, 3, nn.ConvOptions{Dilation: 1, Stride: 2, Padding: 1, Groups: 2, NoBias: true}, nil)
		},
		"conv2d_1x1": func() (nn.Module, error) {
			return nn.NewConv2d("conv", 4, 6, 1, nn.ConvOptions{Stride: 1, Dilation: 1, Groups: 1, NoBias: true}, nil)
		},
		"depthwise": func() (nn.Module, error) {
			return nn.NewConv2d("dw", 3, 3, 5, nn.ConvOptions{Dilation: 1, Stride: 2, Padding: 2, Groups: 3, NoBias: true}, nil)
		},
		"depthwise_bias": func() (nn.Module, error) {
			return nn.NewConv2d("dw", 4, 4, 3, nn.ConvOptions{Stride: 1, Dilation: 1, Padding: 1, Groups: 4}, nil)
		},
		"batchnorm1d_train": func() (nn.Module, error) { return nn.NewBatchNorm1d("bn", 4, nn.DefaultBNOptions()) },
		"batchnorm1d_eval":  func() (nn.Module, error) { return nn.NewBatchNorm1d("bn", 4, nn.DefaultBNOptions()) },
		"batchnorm2d_train": func() (nn.Module, error) { return nn.NewBatchNorm2d("bn", 3, nn.DefaultBNOptions()) },
		"batchnorm2d_eval":  func() (nn.Module, error) { return nn.NewBatchNorm2d("bn", 3, nn.DefaultBNOptions()) },
		"batchnorm2d_noaffine": func() (nn.Module, error) {
			return nn.NewBatchNorm2d("bn", 3, nn.BNOptions{Eps: 1e-5, Momentum: 0.1, NoAffine: true})
		},
		"layernorm":    func() (nn.Module, error) { return nn.NewLayerNorm("ln", 8, nn.DefaultLayerNormOptions()) },
		"relu":         func() (nn.Module, error) { return nn.ReLU{}, nil },
		"gelu":         func() (nn.Module, error) { return nn.GELU{}, nil },
		"silu":         func() (nn.Module, error) { return nn.SiLU{}, nil },
		"sigmoid":      func() (nn.Module, error) { return nn.Sigmoid{}, nil },
		"prelu":        func() (nn.Module, error) { return nn.NewPReLU("act", 3, 0.25) },
		"prelu_shared": func() (nn.Module, error) { return nn.NewPReLU("act", 1, 0.25) },
		"maxpool_k3s2p1": func() (nn.Module, error) {
			return nn.MaxPool2d{Kernel: 3, Opt: nn.MaxPoolOptions{Stride: 2, Padding: 1}}, nil
		},
		"maxpool_k2": func() (nn.Module, error) { return nn.MaxPool2d{Kernel: 2, Opt: nn.MaxPoolOptions{Stride: 2}}, nil },
		"avgpool_k3s2p1": func() (nn.Module, error) {
			return nn.AvgPool2d{Kernel: 3, Opt: nn.AvgPoolOptions{Stride: 2, Padding: 1, CountIncludePad: true}}, nil
		},
		"avgpool_k2": func() (nn.Module, error) {
			return nn.AvgPool2d{Kernel: 2, Opt: nn.AvgPoolOptions{Stride: 2, CountIncludePad: true}}, nil
		},
		"global_avgpool": func() (nn.Module, error) { return nn.GlobalAvgPool{}, nil },
		"mlp_bn":         mlp,
		"rsign":          func() (nn.Module, error) { return nn.NewRSign("sign.move", 3) },
		"rprelu":         func() (nn.Module, error) { return nn.NewRPReLU("act", 3) },
		"binary_conv":    func() (nn.Module, error) { return nn.NewBinaryConv2d("conv", 3, 4, 3, 2, 1, nil) },
		"attention":      func() (nn.Module, error) { return nn.NewAttention("attn", 8, 2, nil) },
		"shifted_window_block": func() (nn.Module, error) {
			b, err := nn.NewTransformerBlock("blk", 8, 2, 6, 6, 3, 2, nil)
			if err == nil {
				b.Shift = 1
			}
			return b, err
		},
		"window_block":         func() (nn.Module, error) { return nn.NewTransformerBlock("blk", 8, 2, 4, 6, 2, 2, nil) },
		"basic_block":          block(4, 8, 2, false),
		"basic_block_identity": block(4, 4, 1, false),
		"bottleneck":           block(8, 4, 2, true),
		"grouped_conv":         conv(8, 12, 3, func(o *nn.ConvOptions) { o.Stride, o.Padding, o.Groups = 2, 1, 4 }),
		"grouped_conv_dilated": conv(6, 6, 3, func(o *nn.ConvOptions) { o.Padding, o.Dilation, o.Groups, o.NoBias = 2, 2, 3, true }),
		"grouped_conv_1x1":     conv(8, 8, 1, func(o *nn.ConvOptions) { o.Groups, o.NoBias = 2, true }),
		"depthwise_multiplier": convNamed("dw", 3, 6, 3, func(o *nn.ConvOptions) { o.Padding, o.Groups = 1, 3 }),
		"depthwise_dilated": convNamed("dw", 4, 4, 3, func(o *nn.ConvOptions) {
			o.Stride, o.Padding, o.Dilation, o.Groups, o.NoBias = 2, 2, 2, 4, true
		}),
		"avgpool_ceil":             avg(3, func(o *nn.AvgPoolOptions) { o.Stride, o.Padding, o.CeilMode = 2, 1, true }),
		"avgpool_exclude_pad":      avg(3, func(o *nn.AvgPoolOptions) { o.Stride, o.Padding, o.CountIncludePad = 2, 1, false }),
		"avgpool_ceil_exclude_pad": avg(3, func(o *nn.AvgPoolOptions) { o.Stride, o.Padding, o.CeilMode, o.CountIncludePad = 2, 1, true, false }),
		"avgpool_ceil_overhang":    avg(3, func(o *nn.AvgPoolOptions) { o.Stride, o.CeilMode = 2, true }),
		"avgpool_k2_ceil":          avg(2, func(o *nn.AvgPoolOptions) { o.CeilMode = true }),
		"layernorm_eps":            func() (nn.Module, error) { return nn.NewLayerNorm("ln", 8, nn.LayerNormOptions{Eps: 1e-2}) },
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
			checkParamShapes(t, c, m)
			layerfixture.Match(t, c, m)
		})
	}
}
