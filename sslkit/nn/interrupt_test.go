package nn

import (
	"context"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// An interrupted notebook cell stops a running forward pass at the next
// custom op instead of finishing a long compiled computation.
func TestInterruptedCellStopsForwardPass(t *testing.T) {
	conv, err := NewConv2d("conv", 3, 4, 3, ConvOptions{Stride: 1, Dilation: 1, Groups: 1, Padding: 1}, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 8, 8), G.WithInit(G.GlorotU(1)))
	if _, err := conv.Forward(x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()

	ctx, cancel := context.WithCancel(context.Background())
	restore := ambient.Set(ctx)
	defer restore()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("before the interrupt: %v", err)
	}
	vm.Reset()
	cancel()
	// gorgonia wraps op errors without %w, so match the message.
	if err := vm.RunAll(); err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("after the interrupt: err = %v, want context canceled", err)
	}
}

// Every op sslkit adds to a layer's graph, forward and backward, is a
// customop.Op (the one framework), and each of them stops with the
// interrupt's error — checked op by op, so an op kind that skipped the
// check (as GELU and SiLU once did) would fail here.
func TestEveryOpHonoursInterrupt(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	must := func(m Module, err error) Module {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	grouped := DefaultConvOptions()
	grouped.Groups, grouped.Padding = 4, 1
	bnEval := must(NewBatchNorm2d("bne", 4, DefaultBNOptions()))
	SetTraining(bnEval, false)
	layers := []struct {
		name  string
		shape tensor.Shape
		f     func(x *G.Node) (*G.Node, error)
	}{
		{"Conv2d", tensor.Shape{2, 4, 6, 6}, must(NewConv2d("c", 4, 4, 3, DefaultConvOptions(), rng)).Forward},
		{"grouped Conv2d", tensor.Shape{2, 4, 6, 6}, must(NewConv2d("g", 4, 8, 3, grouped, rng)).Forward},
		{"BatchNorm train", tensor.Shape{2, 4, 3, 3}, must(NewBatchNorm2d("bn", 4, DefaultBNOptions())).Forward},
		{"BatchNorm eval", tensor.Shape{2, 4, 3, 3}, bnEval.Forward},
		{"MaxPool2d", tensor.Shape{2, 4, 6, 6}, must(NewMaxPool2d(2, DefaultMaxPoolOptions(2))).Forward},
		{"AvgPool2d", tensor.Shape{2, 4, 6, 6}, must(NewAvgPool2d(2, DefaultAvgPoolOptions(2))).Forward},
		{"GlobalAvgPool", tensor.Shape{2, 4, 3, 3}, GlobalAvgPool{}.Forward},
		{"ReLU", tensor.Shape{2, 5}, ReLU{}.Forward},
		{"GELU", tensor.Shape{2, 5}, GELU{}.Forward},
		{"SiLU", tensor.Shape{2, 5}, SiLU{}.Forward},
		{"LayerNorm", tensor.Shape{3, 5}, must(NewLayerNorm("ln", 5, DefaultLayerNormOptions())).Forward},
		{"Dropout", tensor.Shape{2, 5}, must(NewDropout(0.5)).Forward},
		{"StochasticDepth", tensor.Shape{2, 5}, must(NewStochasticDepth(0.5)).Forward},
		{"BinaryConv2d", tensor.Shape{2, 4, 6, 6}, must(NewBinaryConv2d("b", 4, 4, 3, 1, 1, rng)).Forward},
		{"roll", tensor.Shape{2, 16, 3}, func(x *G.Node) (*G.Node, error) { return roll(x, 4, 4, 1) }},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer ambient.Set(ctx)()
	cancel()
	for _, l := range layers {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, l.shape.Dims(), G.WithShape(l.shape...), G.WithName("x"))
		y, err := l.f(x)
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		cost := G.Must(G.Sum(G.Must(G.Reshape(y, tensor.Shape{y.Shape().TotalSize()}))))
		if _, err := G.Grad(cost, x); err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		var ours int
		for _, n := range g.AllNodes() {
			if n.Op() == nil {
				continue
			}
			op, ok := n.Op().(*customop.Op)
			if !ok {
				if strings.Contains(reflect.TypeOf(n.Op()).PkgPath(), "gossl") {
					t.Errorf("%s: op %v is a %T, not a customop.Op", l.name, n.Op(), n.Op())
				}
				continue
			}
			ours++
			// The check comes before the op reads its inputs, so none are
			// needed here.
			if _, err := op.Do(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s: op %s: err = %v, want context.Canceled", l.name, op.Name, err)
			}
		}
		want := 2 // forward and backward
		if l.name == "Dropout" || l.name == "StochasticDepth" {
			want = 1 // a random mask, not differentiated
		}
		if ours < want {
			t.Errorf("%s: %d sslkit ops in the forward and backward graph, want ≥ %d", l.name, ours, want)
		}
	}
}
