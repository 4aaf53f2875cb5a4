package display

import (
	"math/rand"
	"testing"
)

// scatterData is the benchmark's input: 1000 points in 10 classes.
func scatterData(n int) (xs, ys []float64, labels []int) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		labels = append(labels, i%10)
		xs = append(xs, r.NormFloat64()+float64(i%10))
		ys = append(ys, r.NormFloat64())
	}
	return xs, ys, labels
}

// BenchmarkScatter1000 renders a 1000-point labelled scatter to the bundle
// a notebook gets: a PNG at 192 dpi. The bar is 50 ms at the
// median.
func BenchmarkScatter1000(b *testing.B) {
	xs, ys, labels := scatterData(1000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bundle := Scatter("embeddings", xs, ys, labels).Render()
		if _, ok := bundle.Data["image/png"]; !ok {
			b.Fatal("no PNG")
		}
	}
}

func BenchmarkScatter1000SVG(b *testing.B) {
	xs, ys, labels := scatterData(1000)
	c := Scatter("embeddings", xs, ys, labels)
	for i := 0; i < b.N; i++ {
		if _, err := c.SVG(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScatter1000PNG(b *testing.B) {
	xs, ys, labels := scatterData(1000)
	c := Scatter("embeddings", xs, ys, labels)
	for i := 0; i < b.N; i++ {
		if _, err := c.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbeddingMap1000(b *testing.B) {
	xs, ys, labels := scatterData(1000)
	m := NewEmbeddingMap(xs, ys, labels, nil)
	for i := 0; i < b.N; i++ {
		m.Render()
	}
}
