package nn

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Weights live in Param.Value, shared by every graph a module is built into.
func TestGraphsShareWeights(t *testing.T) {
	l, err := NewLinear("fc", 2, 1, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 2}))
	l.Weight.Set([]float32{1, 1})
	if got := graphtest.Forward(t, l.Forward, x); got[0] != 3 {
		t.Fatalf("got %v, want 3", got)
	}
	l.Weight.Set([]float32{2, 0})
	if got := graphtest.Forward(t, l.Forward, x); got[0] != 2 {
		t.Fatalf("after update got %v, want 2", got)
	}
}

func TestTrainEvalBatchNorm(t *testing.T) {
	bn, _ := NewBatchNorm1d("bn", 1, BNOptions{Eps: 1e-5, Momentum: 0.5})
	x := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 2, 3, 4}))
	y := graphtest.Forward(t, bn.Forward, x) // training: batch statistics
	if math.Abs(y[0]+y[3]) > 1e-6 || y[3] < 1 {
		t.Fatalf("training output %v is not normalised", y)
	}
	// mean 2.5, unbiased var 5/3; momentum 0.5 from (0, 1).
	if m, v := bn.RunningMean.Data()[0], bn.RunningVar.Data()[0]; math.Abs(float64(m)-1.25) > 1e-6 || math.Abs(float64(v)-(0.5+5.0/6)) > 1e-6 {
		t.Fatalf("running stats %v %v", m, v)
	}
	SetTraining(bn, false)
	y = graphtest.Forward(t, bn.Forward, x)
	want := (1 - 1.25) / math.Sqrt(0.5+5.0/6+1e-5)
	if math.Abs(y[0]-want) > 1e-5 {
		t.Fatalf("eval output %v, want %v", y[0], want)
	}
}

func TestDropout(t *testing.T) {
	d, err := NewDropout(0.25)
	if err != nil {
		t.Fatal(err)
	}
	n := 4000
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	x := tensor.New(tensor.WithShape(1, n), tensor.WithBacking(ones))
	y := graphtest.Forward(t, d.Forward, x)
	zeros := 0
	for _, v := range y {
		switch {
		case v == 0:
			zeros++
		case math.Abs(v-1/0.75) > 1e-6:
			t.Fatalf("kept value %v, want 1/(1-p)", v)
		}
	}
	// Binomial(4000, 0.25): sd ≈ 27, so ±150 is > 5 sd.
	if zeros < 850 || zeros > 1150 {
		t.Fatalf("%d of %d dropped, want about 1000", zeros, n)
	}
	SetTraining(d, false)
	if y := graphtest.Forward(t, d.Forward, x); y[0] != 1 || y[n-1] != 1 {
		t.Fatal("eval-mode dropout is not the identity")
	}
	if _, err := NewDropout(1); err == nil {
		t.Fatal("p = 1 accepted")
	}
}

func TestNamesAndCounts(t *testing.T) {
	b, err := NewBasicBlock("layer2.0", 64, 128, 2, BlockOptions{BN: DefaultBNOptions(), ZeroInitResidual: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range append(b.Params(), Buffers(b)...) {
		names = append(names, p.Name)
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"layer2.0.conv1.weight", "layer2.0.bn2.bias", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in %s", want, got)
		}
	}
	// torchvision: 3·3·64·128 + 2·128 + 3·3·128·128 + 2·128 + 64·128 + 2·128
	if n := CountParams(b); n != 73728+256+147456+256+8192+256 {
		t.Errorf("CountParams = %d", n)
	}
	for _, v := range b.Body.Modules[4].(*BatchNorm).Weight.Data() {
		if v != 0 {
			t.Fatal("zero-init residual left bn2.weight non-zero")
		}
	}
	if _, err := StateDict(NewSequential(b, b)); err == nil {
		t.Error("duplicate names not reported")
	}
}

func TestBadInputsAreErrors(t *testing.T) {
	if _, err := NewLinear("fc", 0, 3, true, nil); err == nil {
		t.Error("Linear with 0 inputs accepted")
	}
	if _, err := NewConv2d("c", 4, 6, 3, ConvOptions{Stride: 1, Dilation: 1, Groups: 4}, nil); err == nil || !strings.Contains(err.Error(), "Groups 4 must divide") {
		t.Errorf("groups that do not divide the output channels: %v", err)
	}
	l, _ := NewLinear("fc", 4, 3, true, nil)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 5))
	if _, err := l.Forward(x); err == nil || !strings.Contains(err.Error(), "fc.weight") {
		t.Errorf("wrong feature count: %v", err)
	}
	if _, err := (MaxPool2d{Kernel: 2, Opt: MaxPoolOptions{Stride: 2}}).Forward(x); err == nil {
		t.Error("2-D input to MaxPool2d accepted")
	}
	if _, err := NewMLP("m", []int{3}, DefaultMLPOptions(), nil); err == nil {
		t.Error("MLP without output size accepted")
	}
	if _, err := NewMLP("m", []int{3, 4}, MLPOptions{BN: DefaultBNOptions(), Activation: "tanhh"}, nil); err == nil {
		t.Error("unknown activation accepted")
	}
}

// Dropout's gradient is its mask: 1/(1-p) where the unit was kept, 0 where
// it was dropped, drawn in the same run as the output.
func TestDropoutGradientIsMask(t *testing.T) {
	d, _ := NewDropout(0.5)
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 2, G.WithShape(4, 50), G.WithValue(gradcheck.RandomTensor(tensor.Float32, tensor.Shape{4, 50}, 1, 1)))
	y, err := d.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	var out G.Value
	G.Read(y, &out)
	grads, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, g)
	xs, _ := gradcheck.Float64s(x.Value())
	ys, _ := gradcheck.Float64s(out)
	gs, _ := gradcheck.Float64s(grads[0].Value())
	for i := range xs {
		if gs[i] != 0 && gs[i] != 2 {
			t.Fatalf("gradient %v, want 0 or 2", gs[i])
		}
		if math.Abs(ys[i]-gs[i]*xs[i]) > 1e-6 {
			t.Fatalf("element %d: y=%v but mask·x=%v", i, ys[i], gs[i]*xs[i])
		}
	}
}

// A module must not keep a dropped graph alive: notebooks rebuild graphs
// often, and each holds every intermediate tensor of its last run.
func TestDroppedGraphsAreCollected(t *testing.T) {
	l, _ := NewLinear("fc", 3, 2, true, nil)
	collected := make(chan struct{})
	func() {
		g := G.NewGraph()
		runtime.AddCleanup(g, func(ch chan struct{}) { close(ch) }, collected)
		x := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 3))
		if _, err := l.Forward(x); err != nil {
			t.Fatal(err)
		}
	}()
	for i := 0; i < 20; i++ {
		runtime.GC()
		select {
		case <-collected:
			g2 := G.NewGraph()
			if n := l.Weight.Node(g2); n.Graph() != g2 {
				t.Fatal("node in the wrong graph")
			}
			if len(l.Weight.nodes) != 1 {
				t.Errorf("%d graphs remembered, want 1", len(l.Weight.nodes))
			}
			return
		default:
		}
	}
	t.Fatal("graph still reachable through the module's parameters")
}

func TestParamNodeIsCachedPerGraph(t *testing.T) {
	l, _ := NewLinear("fc", 3, 2, true, nil)
	g := G.NewGraph()
	if first, second := l.Weight.Node(g), l.Weight.Node(g); first != second {
		t.Fatal("two nodes for one parameter in one graph")
	}
	if l.Weight.Node(g) == l.Weight.Node(G.NewGraph()) {
		t.Fatal("one node shared by two graphs")
	}
}

func TestStochasticDepthDropsWholeExamples(t *testing.T) {
	s, err := NewStochasticDepth(0.5)
	if err != nil {
		t.Fatal(err)
	}
	n, per := 400, 6
	ones := make([]float32, n*per)
	for i := range ones {
		ones[i] = 1
	}
	y := graphtest.Forward(t, s.Forward, tensor.New(tensor.WithShape(n, 2, 3), tensor.WithBacking(ones)))
	dropped := 0
	for e := 0; e < n; e++ {
		row := y[e*per : (e+1)*per]
		for _, v := range row {
			if v != row[0] {
				t.Fatalf("example %d partly dropped: %v", e, row)
			}
		}
		switch row[0] {
		case 0:
			dropped++
		case 2:
		default:
			t.Fatalf("survivor scaled to %v, want 2", row[0])
		}
	}
	if dropped < 140 || dropped > 260 { // Binomial(400, .5): sd 10
		t.Fatalf("%d of %d dropped", dropped, n)
	}
	SetTraining(s, false)
	if y := graphtest.Forward(t, s.Forward, tensor.New(tensor.WithShape(n, 2, 3), tensor.WithBacking(ones))); y[0] != 1 {
		t.Fatal("eval mode is not the identity")
	}
}

func TestNilGeneratorGivesDistinctLayers(t *testing.T) {
	a, _ := NewLinear("a", 3, 3, true, nil)
	b, _ := NewLinear("b", 3, 3, true, nil)
	if e, _ := gradcheck.RelErr(f64(a.Weight.Data()), f64(b.Weight.Data()), 1); e == 0 {
		t.Fatal("two layers built with a nil generator start identical")
	}
}

func f64(d []float32) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}
