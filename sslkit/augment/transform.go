package augment

import (
	"math/rand"

	"gorgonia.org/tensor"
)

// Transform changes one (C, H, W) image in [0, 1]. It draws its random
// choices from rng only, so a seeded rng gives the same output every time.
// It may return img itself, modified in place, or a new tensor.
type Transform interface {
	Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error)
}
