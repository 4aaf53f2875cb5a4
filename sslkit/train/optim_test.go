package train

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

func param(name string, shape []int, v ...float32) *nn.Param {
	return nn.NewParam(name, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), v...))))
}

func near(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

// Two steps of SGD with momentum 0.9, Nesterov and weight decay 0.1,
// worked by hand.
func TestSGDNesterovByHand(t *testing.T) {
	w := param("w", []int{1, 2}, 1, 2)
	o, err := NewSGD([]*nn.Param{w}, SGDOptions{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1, Nesterov: true})
	if err != nil {
		t.Fatal(err)
	}
	g := map[*nn.Param][]float32{w: {0.5, -1}}
	if err := o.Step(0.1, g); err != nil {
		t.Fatal(err)
	}
	near(t, "step 1", w.Data(), []float64{0.886, 2.152}, 1e-6)
	if err := o.Step(0.1, g); err != nil {
		t.Fatal(err)
	}
	near(t, "step 2", w.Data(), []float64{0.725566, 2.365912}, 1e-6)
}

func TestAdamWByHand(t *testing.T) {
	w := param("w", []int{1, 1}, 1)
	o, err := NewAdamW([]*nn.Param{w}, AdamWOptions{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Step(0.1, map[*nn.Param][]float32{w: {0.5}}); err != nil {
		t.Fatal(err)
	}
	// p·(1 − lr·wd) = 0.99, then − lr·m̂/(√v̂ + eps) = − 0.1·0.5/0.5.
	near(t, "AdamW", w.Data(), []float64{0.89}, 1e-6)
}

// LARS' trust ratio η‖p‖/(‖g‖ + wd‖p‖ + eps) with ‖p‖ = 5, ‖g‖ = 2:
// 0.02·5/2.5 = 0.04; clipped at lr 0.01 it is min(0.04/0.01, 1) = 1.
// Biases (one dimension) skip the ratio and the decay.
func TestLARSTrustRatioByHand(t *testing.T) {
	for _, c := range []struct {
		clip     bool
		lr       float64
		wantW    []float64
		wantBias float64
	}{
		{false, 1, []float64{3 - 0.012, 4 - 0.096}, 1 - 2},
		{true, 0.01, []float64{3 - 0.003, 4 - 0.024}, 1 - 0.02},
	} {
		w := param("w", []int{1, 2}, 3, 4)
		b := param("b", []int{1}, 1)
		o, err := NewLARS([]*nn.Param{w, b}, LARSOptions{LR: c.lr, WeightDecay: 0.1, Eta: 0.02, ClipLR: c.clip})
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Step(c.lr, map[*nn.Param][]float32{w: {0, 2}, b: {2}}); err != nil {
			t.Fatal(err)
		}
		near(t, "LARS weight", w.Data(), c.wantW, 1e-6)
		near(t, "LARS bias", b.Data(), []float64{c.wantBias}, 1e-6)
	}
}

func TestGroupsExcludeBiasesAndNorms(t *testing.T) {
	w := param("fc.weight", []int{2, 2}, 1, 2, 3, 4)
	b := param("fc.bias", []int{2}, 1, 2)
	g := Groups([]*nn.Param{w, b}, 0.3)
	if len(g) != 2 || g[0].Params[0] != w || g[0].WeightDecay != 0.3 || g[0].ExcludeLARS ||
		g[1].Params[0] != b || g[1].WeightDecay != 0 || !g[1].ExcludeLARS {
		t.Fatalf("groups %+v", g)
	}
	// A bias does not decay under SGD: zero gradient leaves it alone.
	o, _ := NewSGD([]*nn.Param{w, b}, SGDOptions{LR: 1, WeightDecay: 0.5})
	if err := o.Step(1, map[*nn.Param][]float32{w: {0, 0, 0, 0}, b: {0, 0}}); err != nil {
		t.Fatal(err)
	}
	near(t, "decayed weight", w.Data(), []float64{0.5, 1, 1.5, 2}, 1e-7)
	near(t, "bias", b.Data(), []float64{1, 2}, 0)
	if _, err := NewSGDGroups([]Group{{Params: []*nn.Param{w}}, {Params: []*nn.Param{w}}}, SGDOptions{LR: 1}); err == nil {
		t.Error("a parameter in two groups was accepted")
	}
	if _, err := NewSGD([]*nn.Param{w}, SGDOptions{LR: 1, Nesterov: true}); err == nil {
		t.Error("Nesterov without momentum was accepted")
	}
	if err := o.Step(1, map[*nn.Param][]float32{w: {0}}); err == nil {
		t.Error("a gradient of the wrong size was accepted")
	}
}

// Three steps with a changing learning rate against torch.optim.SGD and
// AdamW (PyTorch 1.13) and solo-learn's LARS rule (testdata/gen_optim.py).
func TestOptimizersMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/optim.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		W0    []float32 `json:"W0"`
		B0    []float32 `json:"b0"`
		Grads []struct {
			W []float32 `json:"W"`
			B []float32 `json:"b"`
		} `json:"grads"`
		LRs   []float64 `json:"lrs"`
		Cases map[string][]struct {
			W []float64 `json:"W"`
			B []float64 `json:"b"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	build := map[string]func(w, b *nn.Param) (Optimizer, error){
		"sgd_nesterov": func(w, b *nn.Param) (Optimizer, error) {
			return NewSGD([]*nn.Param{w, b}, SGDOptions{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1, Nesterov: true})
		},
		"sgd_dampening": func(w, b *nn.Param) (Optimizer, error) {
			return NewSGD([]*nn.Param{w, b}, SGDOptions{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01})
		},
		"adamw": func(w, b *nn.Param) (Optimizer, error) {
			return NewAdamW([]*nn.Param{w, b}, AdamWOptions{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05})
		},
		"lars_clip": func(w, b *nn.Param) (Optimizer, error) {
			return NewLARS([]*nn.Param{w, b}, LARSOptions{LR: 0.1, Momentum: 0.9, WeightDecay: 0.01, Eta: 0.02, Eps: 1e-8, ClipLR: true})
		},
		"lars": func(w, b *nn.Param) (Optimizer, error) {
			return NewLARS([]*nn.Param{w, b}, LARSOptions{LR: 0.1, Momentum: 0.9, WeightDecay: 0.01, Eta: 0.02, Eps: 1e-8})
		},
	}
	if len(fx.Cases) != len(build) {
		t.Fatalf("%d fixture cases, %d built", len(fx.Cases), len(build))
	}
	for name, mk := range build {
		want, ok := fx.Cases[name]
		if !ok {
			t.Fatalf("no fixture %s", name)
		}
		w := param("w", []int{3, 4}, fx.W0...)
		b := param("b", []int{4}, fx.B0...)
		o, err := mk(w, b)
		if err != nil {
			t.Fatal(err)
		}
		for s, g := range fx.Grads {
			if err := o.Step(fx.LRs[s], map[*nn.Param][]float32{w: g.W, b: g.B}); err != nil {
				t.Fatal(err)
			}
			near(t, name+" W", w.Data(), want[s].W, 2e-6)
			near(t, name+" b", b.Data(), want[s].B, 2e-6)
		}
	}
}

// The optimizer's state round-trips: a copy continued from State takes
// the same steps as the original.
func TestOptimizerStateRoundTrip(t *testing.T) {
	for _, mk := range []func(ps []*nn.Param) (Optimizer, error){
		func(ps []*nn.Param) (Optimizer, error) { return NewSGD(ps, SGDOptions{LR: 0.1, Momentum: 0.9}) },
		func(ps []*nn.Param) (Optimizer, error) { return NewAdamW(ps, DefaultAdamWOptions()) },
		func(ps []*nn.Param) (Optimizer, error) { return NewLARS(ps, DefaultLARSOptions()) },
	} {
		a := param("w", []int{1, 3}, 1, 2, 3)
		oa, _ := mk([]*nn.Param{a})
		g := map[*nn.Param][]float32{a: {0.3, -0.2, 0.1}}
		if err := oa.Step(0.1, g); err != nil {
			t.Fatal(err)
		}
		b := param("w", []int{1, 3}, a.Data()...)
		ob, _ := mk([]*nn.Param{b})
		if err := ob.LoadState(oa.State()); err != nil {
			t.Fatal(err)
		}
		_ = oa.Step(0.1, g)
		_ = ob.Step(0.1, map[*nn.Param][]float32{b: g[a]})
		for i := range a.Data() {
			if a.Data()[i] != b.Data()[i] {
				t.Fatalf("%s: resumed optimizer differs: %v vs %v", oa.Name(), a.Data(), b.Data())
			}
		}
		bad := oa.State()
		bad["nope.momentum_buffer"] = bad[firstKey(bad)]
		if err := ob.LoadState(bad); err == nil {
			t.Errorf("%s: state of an unknown parameter accepted", oa.Name())
		}
	}
}

func firstKey(m map[string]*tensor.Dense) string {
	for k := range m {
		return k
	}
	return ""
}

func TestCosineWarmup(t *testing.T) {
	c := CosineWarmup{Warmup: 4, Min: 0.1}
	for _, x := range []struct {
		step int
		want float64
	}{
		{0, 0.25}, {1, 0.5}, {3, 1},
		{4, 1}, // cosine starts at 1
		{9, 0.1 + 0.9*(1+math.Cos(math.Pi*5/10))/2}, // half way: 0.55
		{14, 0.1 + 0.9*(1+math.Cos(math.Pi*10/10))/2},
	} {
		if got := c.Factor(x.step, 14); math.Abs(got-x.want) > 1e-12 {
			t.Errorf("Factor(%d, 14) = %v, want %v", x.step, got, x.want)
		}
	}
	if got := c.Factor(9, 14); math.Abs(got-0.55) > 1e-12 {
		t.Errorf("mid-point %v, want 0.55", got)
	}
	if got := (CosineWarmup{}).Factor(0, 10); got != 1 {
		t.Errorf("no warm-up starts at %v", got)
	}
	if got := (Constant{}).Factor(5, 10); got != 1 {
		t.Errorf("constant %v", got)
	}
}
