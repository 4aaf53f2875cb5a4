package data

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"
)

// flipViewer is the trivial two-view viewer of the benchmark: the image
// and its mirror image.
type flipViewer struct{}

func (flipViewer) Views(img *tensor.Dense, _ *rand.Rand) ([]*tensor.Dense, error) {
	s := img.Shape()
	src := img.Data().([]float32)
	flip := make([]float32, len(src))
	w := s[2]
	for row := 0; row < len(src)/w; row++ {
		for x := 0; x < w; x++ {
			flip[row*w+x] = src[row*w+w-1-x]
		}
	}
	return []*tensor.Dense{img, tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(flip))}, nil
}

// BenchmarkLoaderFashionMNIST loads, views and stacks shuffled batches of
// 256 Fashion-MNIST training images into two (256, 1, 28, 28) tensors
// (random images of that shape when the data set is not installed).
func BenchmarkLoaderFashionMNIST(b *testing.B) {
	ds, err := FashionMNIST("", true)
	if err != nil {
		b.Logf("Fashion-MNIST not available (%v); random 28×28 images instead", err)
		pix := make([]uint8, 60000*784)
		rand.New(rand.NewSource(1)).Read(pix)
		ds, _ = NewImages(1, 28, 28, pix, nil, nil)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			l, err := NewLoader(ds, LoaderOptions{BatchSize: 256, Shuffle: true, Seed: 1, Viewer: flipViewer{}, Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			images, epoch := 0, 0
			it := l.Epoch(context.Background(), epoch)
			for i := 0; i < b.N; i++ {
				batch, err := it.Next()
				if err == io.EOF {
					epoch++
					it = l.Epoch(context.Background(), epoch)
					batch, err = it.Next()
				}
				if err != nil {
					b.Fatal(err)
				}
				images += batch.Size()
			}
			it.Close()
			b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
