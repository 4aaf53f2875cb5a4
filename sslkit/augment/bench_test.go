package augment

import (
	"math/rand"
	"testing"

	"gorgonia.org/tensor"
)

// benchViews reports images/s: each image gives all of v's views.
func benchViews(b *testing.B, v MultiView, img *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Views(img, rng); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

func BenchmarkSimCLR32RGB(b *testing.B)  { benchViews(b, SimCLR(32), randomImage(3, 32, 32, 1)) }
func BenchmarkSimCLR28Gray(b *testing.B) { benchViews(b, SimCLR(28), randomImage(1, 28, 28, 1)) }
func BenchmarkSimCLR224RGB(b *testing.B) { benchViews(b, SimCLR(224), randomImage(3, 256, 256, 1)) }

func BenchmarkDINO224RGB(b *testing.B) {
	v, err := DINO(DefaultDINOOptions())
	if err != nil {
		b.Fatal(err)
	}
	benchViews(b, v, randomImage(3, 256, 256, 1))
}

func BenchmarkGaussianBlur224(b *testing.B) {
	img := randomImage(3, 224, 224, 1)
	blur := GaussianBlur{KernelSize: 23, Sigma: [2]float64{1, 1}, P: 1}
	for range b.N {
		if _, err := blur.ApplyParams(img, 1.5); err != nil {
			b.Fatal(err)
		}
	}
}
