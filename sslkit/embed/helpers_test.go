package embed

import (
	"math/rand"

	"gonum.org/v1/gonum/mat"
)

// clusters returns n points in d dimensions drawn around c well-separated
// centres (unit noise, centres ~N(0, spread²)), with their labels.
func clusters(n, d, c int, spread float64, seed int64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewSource(seed))
	centres := make([][]float64, c)
	for k := range centres {
		centres[k] = make([]float64, d)
		for j := range centres[k] {
			centres[k][j] = spread * rng.NormFloat64()
		}
	}
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		k := i % c
		labels[i] = k
		for j := 0; j < d; j++ {
			x.Set(i, j, centres[k][j]+rng.NormFloat64())
		}
	}
	return x, labels
}
