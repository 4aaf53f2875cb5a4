package data_test

import (
	"context"
	"fmt"
	"io"
	"math/rand"

	"github.com/gossl/gossl/sslkit/data"
	"gorgonia.org/tensor"
)

// mirror is a Viewer: the image and its left-right mirror image.
type mirror struct{}

func (mirror) Views(img *tensor.Dense, _ *rand.Rand) ([]*tensor.Dense, error) {
	c, h, w := img.Shape()[0], img.Shape()[1], img.Shape()[2]
	src := img.Data().([]float32)
	dst := make([]float32, len(src))
	for row := 0; row < c*h; row++ {
		for x := 0; x < w; x++ {
			dst[row*w+x] = src[row*w+w-1-x]
		}
	}
	return []*tensor.Dense{img, tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(dst))}, nil
}

func ExampleLoader() {
	// Ten 1×2×3 images; image i is labelled i%2.
	pix := make([]uint8, 10*6)
	labels := make([]int, 10)
	for i := range labels {
		labels[i] = i % 2
	}
	ds, err := data.NewImages(1, 2, 3, pix, labels, []string{"even", "odd"})
	if err != nil {
		panic(err)
	}
	loader, err := data.NewLoader(ds, data.LoaderOptions{BatchSize: 4, Shuffle: true, Seed: 1, Viewer: mirror{}})
	if err != nil {
		panic(err)
	}
	it := loader.Epoch(context.Background(), 0)
	defer it.Close()
	for {
		batch, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(batch.Size(), "images,", len(batch.Views), "views of shape", batch.Views[0].Shape())
	}
	// Output:
	// 4 images, 2 views of shape (4, 1, 2, 3)
	// 4 images, 2 views of shape (4, 1, 2, 3)
	// 2 images, 2 views of shape (2, 1, 2, 3)
}
