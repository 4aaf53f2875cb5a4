package gemm

import (
	"math/rand"
	"sync/atomic"
	"testing"
)

// Each calls every index once and its products, run side by side with
// OpenBLAS single-threaded, equal the same products run one by one; a
// large product after Each (OpenBLAS's threads back) still equals gonum's.
func TestEachRunsEveryProductOnce(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	const n, m, k, p = 16, 40, 70, 90
	a, b := randF32(rng, n*m*k), randF32(rng, n*k*p)
	want := make([]float32, n*m*p)
	for i := 0; i < n; i++ {
		Sgemm(false, false, m, p, k, 1, a[i*m*k:], k, b[i*k*p:], p, 0, want[i*m*p:], p)
	}
	got := make([]float32, n*m*p)
	var calls [n]atomic.Int32
	Each(n, func(i int) {
		calls[i].Add(1)
		Sgemm(false, false, m, p, k, 1, a[i*m*k:], k, b[i*k*p:], p, 0, got[i*m*p:], p)
	})
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Errorf("index %d called %d times", i, c)
		}
	}
	for i := range got {
		if d := got[i] - want[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("[%d] = %g run by Each, %g run one by one", i, got[i], want[i])
		}
	}
	Each(0, func(int) { t.Error("called for n = 0") })

	const big = 300
	x, y := randF32(rng, big*big), randF32(rng, big*big)
	z, ref := make([]float32, big*big), make([]float32, big*big)
	Sgemm(false, false, big, big, big, 1, x, big, y, big, 0, z, big)
	native.Sgemm(trans(false), trans(false), big, big, big, 1, x, big, y, big, 0, ref, big)
	for i := range z {
		if d := z[i] - ref[i]; d > 1e-3 || d < -1e-3 {
			t.Fatalf("product after Each [%d] = %g, gonum %g", i, z[i], ref[i])
		}
	}
}
