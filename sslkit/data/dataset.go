package data

import (
	"math/rand"

	"gorgonia.org/tensor"
)

// Dataset is a random-access collection of labelled images. Images are
// float32 tensors of shape (C, H, W) with values in [0, 1]; Item returns a
// fresh tensor that the caller owns and may modify.
type Dataset interface {
	Len() int
	Item(i int) (img *tensor.Dense, label int, err error)
}

// Viewer turns one image into the views a method trains on (two for
// SimCLR, 2 global + N local for DINO's multi-crop). Every call for a given
// image and rng must give the same views, so training is reproducible.
// sslkit/augment's pipelines implement it.
type Viewer interface {
	Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error)
}

// Batch is what a Loader yields: Views[v] stacks view v of every image in
// the batch as an (N, C, H, W) tensor (one view, the image itself, when the
// loader has no Viewer); Labels and Indices give each image's label and
// position in the dataset.
type Batch struct {
	Views   []*tensor.Dense
	Labels  []int
	Indices []int
}

// Size returns the number of images in the batch (the last batch of an
// epoch may be smaller than the loader's batch size).
func (b Batch) Size() int { return len(b.Indices) }

// A ClassNamer is a Dataset that knows the names of its classes, indexed by
// label. The readers of this package and Subset implement it.
type ClassNamer interface {
	Classes() []string
}

// ClassNames returns ds's class names, or nil when it does not know them.
func ClassNames(ds Dataset) []string {
	if c, ok := ds.(ClassNamer); ok {
		return c.Classes()
	}
	return nil
}

// A LabelReader is a Dataset that can return a label without building the
// image. The datasets of this package implement it.
type LabelReader interface {
	Label(i int) (int, error)
}

// Labels returns the label of every item of ds, cheaply when ds is a
// LabelReader and through Item otherwise.
func Labels(ds Dataset) ([]int, error) {
	out := make([]int, ds.Len())
	lr, fast := ds.(LabelReader)
	for i := range out {
		var err error
		if fast {
			out[i], err = lr.Label(i)
		} else {
			_, out[i], err = ds.Item(i)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
