package eval

import (
	"context"
	"math/rand"
	"testing"
)

// BenchmarkKNN is the usual evaluation size: 10k test × 60k train × 128-d
// features (Fashion-MNIST / CIFAR scale), k=20 and k=200.
func BenchmarkKNN(b *testing.B) {
	rng := rand.New(rand.NewSource(40))
	centres := randomCentres(rng, 10, 128)
	train := clusters(rng, centres, 60000, 3)
	test := clusters(rng, centres, 10000, 3)
	for _, c := range []struct {
		name string
		opt  KNNOptions
	}{{"k=20", KNN20}, {"k=200", KNN200}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r, err := KNN(context.Background(), train, test, c.opt)
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					b.Log(r)
				}
			}
		})
	}
}

// BenchmarkLinearProbe trains on 10k×512 features (10 classes) with the
// default recipe and tests on 2k.
func BenchmarkLinearProbe(b *testing.B) {
	rng := rand.New(rand.NewSource(41))
	centres := randomCentres(rng, 10, 512)
	train := clusters(rng, centres, 10000, 8)
	test := clusters(rng, centres, 2000, 8)
	for i := 0; i < b.N; i++ {
		r, err := LinearProbe(context.Background(), train, test, DefaultProbeOptions())
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.Log(r)
		}
	}
}
