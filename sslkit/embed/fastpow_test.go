package embed

import (
	"math"
	"math/rand"
	"testing"
)

func TestFastPow(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 100000; i++ {
		x := math.Exp(rng.Float64()*60 - 30)
		y := rng.Float64()*3 - 1.5
		got, want := fastPow(x, y), math.Pow(x, y)
		if math.Abs(got-want) > 1e-6*want {
			t.Fatalf("fastPow(%v, %v) = %v; math.Pow %v", x, y, got, want)
		}
	}
}
