package backbone

import (
	"os"
	"strconv"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkResNet18CIFARStep times one training step's forward and
// backward pass of ResNet-18 (CIFAR stem, 512-d features) on a batch of
// 3×32×32 images: the shape of issue 5's comparison with PyTorch
// (bench/torch/resnet18.sh runs both). GOSSL_BENCH_BATCH overrides the
// batch size of 128.
func BenchmarkResNet18CIFARStep(b *testing.B) {
	batch := 128
	if s := os.Getenv("GOSSL_BENCH_BATCH"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			b.Fatalf("GOSSL_BENCH_BATCH=%q: want an integer ≥ 2", s)
		}
		batch = n
	}
	net, err := NewResNet(ResNetConfig{InChannels: 3, Depth: 18, CIFARStem: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	g := G.NewGraph()
	shape := tensor.Shape{batch, 3, 32, 32}
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("x"),
		G.WithValue(gradcheck.RandomTensor(tensor.Float32, shape, 1, 1)))
	y, err := net.Forward(x)
	if err != nil {
		b.Fatal(err)
	}
	cost, err := gradcheck.Projection(y, 2)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(cost, nn.ParamNodes(net, g)...); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	// One untimed warm-up step, as the PyTorch side has: the first run
	// allocates every intermediate tensor.
	if err := vm.RunAll(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/step")
	b.ReportMetric(float64(batch), "batch")
}
