package nn

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// benchStep times one forward+backward pass of build(x) for a float32 x of
// the given shape: one benchmark per kind of custom op (output-reusing,
// element-wise, float64-kernel reduction), so a change to the op framework
// shows in each.
func benchStep(b *testing.B, xs tensor.Shape, build func(x *G.Node) (*G.Node, error)) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, xs.Dims(), G.WithShape(xs...), G.WithName("x"),
		G.WithValue(gradcheck.RandomTensor(tensor.Float32, xs, 1, 1)))
	y, err := build(x)
	if err != nil {
		b.Fatal(err)
	}
	cost, err := gradcheck.Projection(y, 2)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(cost, x); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil { // warm-up: first-run allocations
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time of the whole process per step: on a shared, loaded machine
	// it moves much less than wall time.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
}

var benchActShape = tensor.Shape{64, 64, 16, 16}

func BenchmarkOpReLU(b *testing.B) { benchStep(b, benchActShape, ReLU{}.Forward) }
func BenchmarkOpGELU(b *testing.B) { benchStep(b, benchActShape, GELU{}.Forward) }
func BenchmarkOpSiLU(b *testing.B) { benchStep(b, benchActShape, SiLU{}.Forward) }

func BenchmarkOpMaxPool(b *testing.B) {
	benchStep(b, benchActShape, func(x *G.Node) (*G.Node, error) {
		m, err := NewMaxPool2d(3, MaxPoolOptions{Stride: 2, Padding: 1})
		if err != nil {
			return nil, err
		}
		return m.Forward(x)
	})
}

func BenchmarkOpLayerNorm(b *testing.B) {
	ln, err := NewLayerNorm("ln", 256, DefaultLayerNormOptions())
	if err != nil {
		b.Fatal(err)
	}
	benchStep(b, tensor.Shape{256, 256}, ln.Forward)
}

func BenchmarkOpSoftmax(b *testing.B) {
	benchStep(b, tensor.Shape{256, 512}, func(x *G.Node) (*G.Node, error) { return ops.Softmax(x, 1) })
}

func BenchmarkOpSumAxes(b *testing.B) {
	benchStep(b, tensor.Shape{32, 64, 16, 16}, func(x *G.Node) (*G.Node, error) { return ops.SumAxes(x, 2, 3) })
}
