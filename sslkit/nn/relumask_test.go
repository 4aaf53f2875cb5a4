package nn

import (
	"math"
	"math/rand"
	"testing"
)

// passMask lets a gradient through exactly where y > 0.
func TestPassMask(t *testing.T) {
	for _, y := range []float32{1, math.SmallestNonzeroFloat32, math.MaxFloat32, float32(math.Inf(1)),
		0, float32(math.Copysign(0, -1)), -math.SmallestNonzeroFloat32, -1, float32(math.Inf(-1))} {
		want := uint32(0)
		if y > 0 {
			want = ^uint32(0)
		}
		if got := passMask(y); got != want {
			t.Errorf("passMask(%g) = %#x, want %#x", y, got, want)
		}
	}
}

// The masked sums of the BatchNorm+ReLU gradient, with a branch on the
// ReLU's output and with passMask.
func BenchmarkReLUMaskedSums(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	n := 64 * 1024
	x, dy, y := rnd(rng, n), rnd(rng, n), rnd(rng, n)
	for i := range y {
		y[i] = max(y[i], 0)
	}
	const mu = 0.1
	var sink float32
	b.Run("branch", func(b *testing.B) {
		for it := 0; it < b.N; it++ {
			var pa, pb float32
			for i, d := range dy {
				if y[i] > 0 {
					pa += d
					pb += d * (x[i] - mu)
				}
			}
			sink += pa + pb
		}
	})
	b.Run("mask", func(b *testing.B) {
		for it := 0; it < b.N; it++ {
			var pa, pb float32
			y, x := y[:len(dy)], x[:len(dy)]
			for i, d := range dy {
				d = math.Float32frombits(math.Float32bits(d) & passMask(y[i]))
				pa += d
				pb += d * (x[i] - mu)
			}
			sink += pa + pb
		}
	})
	_ = sink
}
