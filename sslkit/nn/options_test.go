package nn

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

// A literal zero is used as given: BatchNorm with Momentum 0 keeps its
// running statistics (it once meant "use 0.1").
func TestBatchNormMomentumZeroFreezesRunningStats(t *testing.T) {
	bn, err := NewBatchNorm1d("bn", 1, BNOptions{Eps: 1e-5, Momentum: 0})
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Forward(t, bn.Forward, tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 2, 3, 4})))
	if m, v := bn.RunningMean.Data()[0], bn.RunningVar.Data()[0]; m != 0 || v != 1 {
		t.Errorf("running stats moved to %v %v with momentum 0", m, v)
	}
}

func TestOptionErrorsNameFieldAndConstructor(t *testing.T) {
	for _, c := range []struct {
		want string
		err  func() error
	}{
		{"ConvOptions.Stride 0 must be ≥ 1 (start from nn.DefaultConvOptions())", func() error {
			_, err := NewConv2d("c", 3, 4, 3, ConvOptions{Dilation: 1, Groups: 1}, nil)
			return err
		}},
		{"ConvOptions.Dilation 0 must be ≥ 1", func() error {
			_, err := NewConv2d("c", 3, 4, 3, ConvOptions{Stride: 1, Groups: 1}, nil)
			return err
		}},
		{"ConvOptions.Groups 0 must be ≥ 1", func() error {
			_, err := NewConv2d("c", 3, 4, 3, ConvOptions{Stride: 1, Dilation: 1}, nil)
			return err
		}},
		{"BNOptions.Momentum 1.5 must be in [0, 1] (start from nn.DefaultBNOptions())", func() error {
			_, err := NewBatchNorm2d("bn", 3, BNOptions{Eps: 1e-5, Momentum: 1.5})
			return err
		}},
		{"BNOptions.Eps -1 must be ≥ 0", func() error {
			_, err := NewBatchNorm2d("bn", 3, BNOptions{Eps: -1})
			return err
		}},
		{"MLPOptions.Activation is empty (start from nn.DefaultMLPOptions())", func() error {
			_, err := NewMLP("m", []int{3, 4}, MLPOptions{}, nil)
			return err
		}},
		{"LayerNormOptions.Eps -0.1 must be ≥ 0 (start from nn.DefaultLayerNormOptions())", func() error {
			_, err := NewLayerNorm("ln", 3, LayerNormOptions{Eps: -0.1})
			return err
		}},
		{"AvgPoolOptions.Stride 0 must be ≥ 1 (start from nn.DefaultAvgPoolOptions(2))", func() error {
			_, err := NewAvgPool2d(2, AvgPoolOptions{})
			return err
		}},
		{"MaxPoolOptions.Padding 2 must be between 0 and half the kernel 3", func() error {
			_, err := NewMaxPool2d(3, MaxPoolOptions{Stride: 1, Padding: 2})
			return err
		}},
	} {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func TestDefaultOptionsArePyTorchs(t *testing.T) {
	if o := DefaultConvOptions(); o != (ConvOptions{Stride: 1, Dilation: 1, Groups: 1}) {
		t.Errorf("conv %+v", o)
	}
	if o := DefaultBNOptions(); o != (BNOptions{Eps: 1e-5, Momentum: 0.1}) {
		t.Errorf("bn %+v", o)
	}
	if o := DefaultLayerNormOptions(); o.Eps != 1e-5 {
		t.Errorf("layer norm %+v", o)
	}
	if o := DefaultMLPOptions(); o.Activation != "relu" || o.BN != DefaultBNOptions() || o.HiddenBN || o.OutputBN {
		t.Errorf("mlp %+v", o)
	}
	if o := DefaultBlockOptions(); o.ZeroInitResidual || o.BN != DefaultBNOptions() {
		t.Errorf("block %+v", o)
	}
	if o := DefaultAvgPoolOptions(3); o != (AvgPoolOptions{Stride: 3, CountIncludePad: true}) {
		t.Errorf("avg pool %+v", o)
	}
	if o := DefaultMaxPoolOptions(3); o != (MaxPoolOptions{Stride: 3}) {
		t.Errorf("max pool %+v", o)
	}
	ln, _ := NewLayerNorm("ln", 4, LayerNormOptions{Eps: 1e-6})
	if ln.Eps != 1e-6 {
		t.Errorf("layer norm eps %g, want 1e-6 as given", ln.Eps)
	}
}
