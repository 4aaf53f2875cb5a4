package train_test

import (
	"context"
	"fmt"
	"io"
	"math/rand"

	"github.com/gossl/gossl/sslkit/augment"
	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/method"
	"github.com/gossl/gossl/sslkit/train"
)

// SimCLR on 28×28 grey images: a small CNN, the method, a loader of
// SimCLR's augmented views and the Trainer. In a notebook, add
// opt.Callbacks = []train.Stepper{display.NewProgress("SimCLR")} for a
// live progress bar and loss curve, and pass the cell's context so the
// interrupt button stops the run between steps.
func Example() {
	ds := toyImages(128) // the tutorial reads data.FashionMNIST(dir, true)

	net, _ := backbone.NewSmallCNN(1, 64, nil)
	m, _ := method.NewSimCLR(net, method.DefaultSimCLROptions())
	loader, _ := data.NewLoader(ds, data.LoaderOptions{BatchSize: 32, Shuffle: true, Seed: 1, Viewer: augment.SimCLR(28)})
	opt := train.DefaultOptions()
	opt.Epochs, opt.Log = 1, io.Discard
	tr, _ := train.NewTrainer(m, loader, opt)
	err := tr.Fit(context.Background())

	fmt.Println(err, len(tr.Losses()), "steps of", m.Name(), "on", method.BackboneName(m))
	// Output: <nil> 4 steps of SimCLR on small-cnn
}

// toyImages is n random 28×28 grey images with labels 0–9.
func toyImages(n int) data.Dataset {
	rng := rand.New(rand.NewSource(1))
	pix := make([]uint8, n*28*28)
	rng.Read(pix)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
	}
	ds, err := data.NewImages(1, 28, 28, pix, labels, nil)
	if err != nil {
		panic(err)
	}
	return ds
}
