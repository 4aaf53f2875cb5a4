package loss

import (
	"syscall"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchStep times one forward+backward pass of a loss on float32
// embeddings of shape n×d (graph and machine built once, outside the timer).
func benchStep(b *testing.B, n, d int, build func(z1, z2 *G.Node) (*G.Node, error)) {
	g := G.NewGraph()
	z1 := emb(g, tensor.Float32, "z1", 1, n, d)
	z2 := emb(g, tensor.Float32, "z2", 2, n, d)
	l, err := build(z1, z2)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(l, z1, z2); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	cpu0 := cpuTime()
	b.ResetTimer()
	best := time.Duration(1 << 62)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	// The fastest step is the figure least disturbed by other load on a
	// shared machine; ns/op stays the mean.
	b.ReportMetric(float64(best.Microseconds())/1e3, "best-ms")
	// CPU time per step (all threads) is the figure other processes'
	// load disturbs least; compare it with PyTorch's in the same units.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms")
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNTXent512x128: 512 pairs of 128-d projections (a 1024×1024
// similarity matrix), forward + backward.
func BenchmarkNTXent512x128(b *testing.B) {
	benchStep(b, 512, 128, func(z1, z2 *G.Node) (*G.Node, error) {
		return NTXent(z1, z2, NTXentOptions{Temperature: 0.5})
	})
}

// BenchmarkBarlowTwins256x2048: batch 256, 2048-d (a 2048×2048
// cross-correlation), forward + backward.
func BenchmarkBarlowTwins256x2048(b *testing.B) {
	benchStep(b, 256, 2048, func(z1, z2 *G.Node) (*G.Node, error) {
		return BarlowTwins(z1, z2, DefaultBarlowTwinsOptions())
	})
}

// BenchmarkDistill512x4096: Distill both ways (softmax-based ops on the
// float64 path) between 512 rows of 4096 logits; B/op is the allocation
// per step.
func BenchmarkDistill512x4096(b *testing.B) {
	b.ReportAllocs()
	benchStep(b, 512, 4096, func(z1, z2 *G.Node) (*G.Node, error) {
		a, err := Distill(z1, z2, DefaultDistillOptions())
		if err != nil {
			return nil, err
		}
		c, err := Distill(z2, z1, DefaultDistillOptions())
		if err != nil {
			return nil, err
		}
		return G.Add(a, c)
	})
}
