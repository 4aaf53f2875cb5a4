package augment_test

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/augment"
)

func ExampleSimCLR() {
	img := tensor.New(tensor.WithShape(1, 28, 28), tensor.WithBacking(make([]float32, 28*28)))
	views, err := augment.SimCLR(28).Views(img, rand.New(rand.NewSource(1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range views {
		fmt.Println(v.Shape())
	}
	// Output:
	// (1, 28, 28)
	// (1, 28, 28)
}

func ExampleDINO() {
	opts := augment.DefaultDINOOptions()
	opts.GlobalSize, opts.LocalSize, opts.NumLocal = 32, 16, 4
	dino, err := augment.DINO(opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	img := tensor.New(tensor.WithShape(3, 32, 32), tensor.WithBacking(make([]float32, 3*32*32)))
	views, err := dino.Views(img, rand.New(rand.NewSource(1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range views {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(v.Shape())
	}
	fmt.Println()
	opts.LocalScale = [2]float64{0.4, 0.05}
	_, err = augment.DINO(opts)
	fmt.Println(err)
	// Output:
	// (3, 32, 32) (3, 32, 32) (3, 16, 16) (3, 16, 16) (3, 16, 16) (3, 16, 16)
	// augment: DINOOptions.LocalScale = [0.4 0.05], want 0 < min ≤ max ≤ 1
}

func ExampleColorJitter_ApplyParams() {
	img := tensor.New(tensor.WithShape(3, 1, 1), tensor.WithBacking([]float32{0.8, 0.4, 0.2}))
	jitter := augment.ColorJitter{Brightness: 0.4, Contrast: 0.4, Saturation: 0.4, Hue: 0.1, P: 0.8}
	// Brightness ×0.5 only: the deterministic half of Apply.
	out, _ := jitter.ApplyParams(img, augment.JitterParams{Apply: true, Order: [4]int{0, 1, 2, 3}, Brightness: 0.5, Contrast: 1, Saturation: 1})
	fmt.Println(out.Data())
	// Output:
	// [0.4 0.2 0.1]
}
