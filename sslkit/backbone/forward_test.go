package backbone

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainStep builds net on a random batch, differentiates a random
// projection of its output, runs the graph once and returns the output
// and the gradient norm of every parameter.
func trainStep(t *testing.T, net nn.Module, shape tensor.Shape, wantOut tensor.Shape) ([]float64, map[string]float64) {
	t.Helper()
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("x"),
		G.WithValue(gradcheck.RandomTensor(tensor.Float32, shape, 3, 1)))
	y, err := net.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(wantOut) {
		t.Fatalf("output shape %v, want %v", y.Shape(), wantOut)
	}
	var out G.Value
	G.Read(y, &out)
	cost, err := gradcheck.Projection(y, 5)
	if err != nil {
		t.Fatal(err)
	}
	params := net.Params()
	grads, err := G.Grad(cost, nn.ParamNodes(net, g)...)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, g)
	o, _ := gradcheck.Float64s(out)
	for _, v := range o {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite output %v", v)
		}
	}
	norms := map[string]float64{}
	for i, gn := range grads {
		d, err := gradcheck.Float64s(gn.Value())
		if err != nil {
			t.Fatalf("%s: %v", params[i].Name, err)
		}
		s := 0.0
		for _, v := range d {
			s += v * v
		}
		norms[params[i].Name] = math.Sqrt(s)
	}
	return o, norms
}

// Every parameter must receive a gradient: a layer cut off from the cost
// (a broken shortcut, a detached branch) shows up as a zero norm.
func requireAllGradients(t *testing.T, norms map[string]float64) {
	t.Helper()
	for name, n := range norms {
		if !(n > 0) || math.IsNaN(n) {
			t.Errorf("parameter %s gets gradient norm %v", name, n)
		}
	}
}

func TestResNet18CIFARTrainStep(t *testing.T) {
	net, err := NewResNet(ResNetConfig{InChannels: 3, Depth: 18, CIFARStem: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, norms := trainStep(t, net, tensor.Shape{2, 3, 8, 8}, tensor.Shape{2, 512})
	requireAllGradients(t, norms)
}

func TestResNet50ImageNetStemForward(t *testing.T) {
	if testing.Short() {
		t.Skip("ResNet-50 train step")
	}
	net, err := NewResNet(ResNetConfig{InChannels: 3, Depth: 50, NumClasses: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, norms := trainStep(t, net, tensor.Shape{2, 3, 32, 32}, tensor.Shape{2, 7})
	requireAllGradients(t, norms)
}

func TestEfficientNetB0TrainStep(t *testing.T) {
	net, err := NewEfficientNetB0(EfficientNetConfig{InChannels: 3, Dropout: 0.2, NumClasses: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 64×64 leaves a 2×2 map in the last stages: at 1×1 a channel bias
	// before conv+BatchNorm has an exactly zero gradient, which the check
	// below would flag.
	_, norms := trainStep(t, net, tensor.Shape{2, 3, 64, 64}, tensor.Shape{2, 5})
	requireAllGradients(t, norms)
}

func TestBinaryResNet18TrainStep(t *testing.T) {
	net, err := NewBinaryResNet18(BinaryResNetConfig{InChannels: 3, CIFARStem: true, NumClasses: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, norms := trainStep(t, net, tensor.Shape{2, 3, 16, 16}, tensor.Shape{2, 10})
	requireAllGradients(t, norms)
}

func TestSmallCNNAndMLP(t *testing.T) {
	cnn, err := NewSmallCNN(1, 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, norms := trainStep(t, cnn, tensor.Shape{3, 1, 28, 28}, tensor.Shape{3, 32})
	requireAllGradients(t, norms)
	mlp, err := NewMLP([]int{1, 28, 28}, []int{64}, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, norms = trainStep(t, mlp, tensor.Shape{3, 1, 28, 28}, tensor.Shape{3, 16})
	requireAllGradients(t, norms)
}

func TestBackboneInputErrors(t *testing.T) {
	net, _ := NewResNet(ResNetConfig{InChannels: 3, Depth: 18, CIFARStem: true}, nil)
	g := G.NewGraph()
	if _, err := net.Forward(G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, 8, 8))); err == nil {
		t.Error("1-channel input to a 3-channel ResNet accepted")
	}
	if _, err := net.Forward(G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3))); err == nil {
		t.Error("matrix input accepted")
	}
	if _, err := NewResNet(ResNetConfig{InChannels: 3, Depth: 101}, nil); err == nil {
		t.Error("unsupported depth accepted")
	}
	cnn, _ := NewSmallCNN(1, 8, nil)
	if _, err := cnn.Forward(G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, 32, 32))); err == nil {
		t.Error("32×32 input to the 28×28 CNN accepted")
	}
}

func TestZeroInitResidual(t *testing.T) {
	for _, depth := range []int{18, 50} {
		net, err := NewResNet(ResNetConfig{InChannels: 3, Depth: depth, CIFARStem: true, ZeroInitResidual: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		last := "bn2.weight"
		if depth == 50 {
			last = "bn3.weight"
		}
		zeroed := 0
		for _, p := range net.Params() {
			if len(p.Name) > len(last) && p.Name[len(p.Name)-len(last):] == last {
				for _, v := range p.Data() {
					if v != 0 {
						t.Fatalf("%s not zero-initialised", p.Name)
					}
				}
				zeroed++
			}
		}
		if want := map[int]int{18: 8, 50: 16}[depth]; zeroed != want {
			t.Errorf("resnet%d: %d zero-initialised norms, want %d", depth, zeroed, want)
		}
	}
}

func TestViTTrainStepAndTokens(t *testing.T) {
	cfg := ViTConfig{ImageSize: 16, InChannels: 3, PatchSize: 2, Dims: []int{8, 16}, Depths: []int{1, 1}, Heads: []int{2, 2}, Window: 4, MLPRatio: 4}
	v, err := NewViT(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Patches != 16 || v.OutDim != 16 {
		t.Fatalf("patches %d, out %d; want 16, 16", v.Patches, v.OutDim)
	}
	def, err := NewViT(DefaultViTConfig(), nil) // 32×32, patch 4: 8×8 then 4×4 and 2×2 grids, window 4
	if err != nil {
		t.Fatal(err)
	}
	shifts := []int{}
	for _, st := range def.Stages {
		for _, b := range st.Modules {
			shifts = append(shifts, b.(*nn.TransformerBlock).Shift)
		}
	}
	if fmt.Sprint(shifts) != "[0 2 0 0 0 0]" {
		t.Errorf("window shifts %v, want [0 2 0 0 0 0] (only where the grid exceeds the window)", shifts)
	}
	_, norms := trainStep(t, v, tensor.Shape{2, 3, 16, 16}, tensor.Shape{2, 16})
	requireAllGradients(t, norms)

	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 16, 16), G.WithValue(gradcheck.RandomTensor(tensor.Float32, tensor.Shape{2, 3, 16, 16}, 1, 1)))
	pooled, tokens, err := v.ForwardTokens(x)
	if err != nil {
		t.Fatal(err)
	}
	if !tokens.Shape().Eq(tensor.Shape{2, 16, 16}) || !pooled.Shape().Eq(tensor.Shape{2, 16}) {
		t.Fatalf("shapes %v %v", pooled.Shape(), tokens.Shape())
	}
	bad := DefaultViTConfig()
	bad.ImageSize = 30
	if _, err := NewViT(bad, nil); err == nil {
		t.Error("image size not divisible by the patch accepted")
	}
	if _, err := v.Forward(G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 3, 32, 32))); err == nil {
		t.Error("wrong image size accepted")
	}
}

func TestPatchMergeGroupsNeighbours(t *testing.T) {
	// Tokens numbered by position on a 4×4 grid, one feature each: merged
	// token 0 must hold positions 0, 1, 4, 5 (the top-left 2×2 block).
	g := G.NewGraph()
	d := make([]float32, 16)
	for i := range d {
		d[i] = float32(i)
	}
	x := G.NewTensor(g, tensor.Float32, 3, G.WithShape(1, 16, 1), G.WithValue(tensor.New(tensor.WithShape(1, 16, 1), tensor.WithBacking(d))))
	out, err := groupPatches(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	got := graphtest.Eval(t, out)
	want := []float64{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merged order %v, want %v", got, want)
		}
	}
}

func TestEfficientNetStochasticDepth(t *testing.T) {
	net, err := NewEfficientNetB0(EfficientNetConfig{InChannels: 3, Dropout: 0.2, StochasticDepth: 0.2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var probs []float64
	nn.Walk(net, func(m nn.Module) {
		if b, ok := m.(*MBConv); ok && b.Drop != nil {
			probs = append(probs, b.Drop.P)
		}
	})
	// The 9 residual MBConv blocks; block k of 16 drops with 0.2·k/16.
	if len(probs) != 9 || math.Abs(probs[0]-0.2*2/16) > 1e-12 || math.Abs(probs[8]-0.2*14/16) > 1e-12 {
		t.Errorf("drop probabilities %v", probs)
	}
	if _, err := NewEfficientNetB0(EfficientNetConfig{InChannels: 3, Dropout: 0.2, StochasticDepth: 1}, nil); err == nil {
		t.Error("drop probability 1 accepted")
	}
}

func TestBinaryResNetOddMapsAreAnError(t *testing.T) {
	net, err := NewBinaryResNet18(BinaryResNetConfig{CIFARStem: true, InChannels: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	// 28 → 14 → 7 → conv gives 4, pooling 3.
	if _, err := net.Forward(G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 1, 28, 28))); err == nil {
		t.Fatal("mismatched branch and shortcut accepted")
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	for _, c := range []struct {
		want string
		err  func() error
	}{
		{"ResNetConfig.InChannels 0 must be ≥ 1 (start from backbone.DefaultResNetConfig(depth))", func() error {
			_, err := NewResNet(ResNetConfig{Depth: 18}, nil)
			return err
		}},
		{"EfficientNetConfig.InChannels 0", func() error { _, err := NewEfficientNetB0(EfficientNetConfig{}, nil); return err }},
		{"EfficientNetConfig.Dropout 1 must be in [0, 1)", func() error {
			c := DefaultEfficientNetConfig()
			c.Dropout = 1
			_, err := NewEfficientNetB0(c, nil)
			return err
		}},
		{"BinaryResNetConfig.InChannels 0", func() error { _, err := NewBinaryResNet18(BinaryResNetConfig{}, nil); return err }},
		{"ViTConfig.ImageSize 0 must be ≥ 1 (start from backbone.DefaultViTConfig())", func() error { _, err := NewViT(ViTConfig{}, nil); return err }},
		{"ViTConfig.MLPRatio 0 must be positive", func() error {
			c := DefaultViTConfig()
			c.MLPRatio = 0
			_, err := NewViT(c, nil)
			return err
		}},
	} {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
	if c := DefaultEfficientNetConfig(); c.StochasticDepth != 0.2 || c.Dropout != 0.2 || c.InChannels != 3 {
		t.Errorf("EfficientNet defaults %+v, want torchvision's stochastic depth 0.2 and dropout 0.2", c)
	}
}
