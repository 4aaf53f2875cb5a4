package data

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"
)

// Subset returns the dataset of ds's items at indices, in that order
// (repeats allowed). It keeps ds's class names.
func Subset(ds Dataset, indices []int) (Dataset, error) {
	n := ds.Len()
	for k, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("data: Subset: index %d (position %d) out of range [0, %d)", i, k, n)
		}
	}
	idx := make([]int, len(indices))
	copy(idx, indices)
	return &subset{parent: ds, indices: idx}, nil
}

type subset struct {
	parent  Dataset
	indices []int
}

func (s *subset) Len() int { return len(s.indices) }

func (s *subset) Item(i int) (*tensor.Dense, int, error) {
	if i < 0 || i >= len(s.indices) {
		return nil, 0, fmt.Errorf("data: item %d out of range [0, %d)", i, len(s.indices))
	}
	return s.parent.Item(s.indices[i])
}

func (s *subset) Label(i int) (int, error) {
	if i < 0 || i >= len(s.indices) {
		return 0, fmt.Errorf("data: item %d out of range [0, %d)", i, len(s.indices))
	}
	if lr, ok := s.parent.(LabelReader); ok {
		return lr.Label(s.indices[i])
	}
	_, l, err := s.parent.Item(s.indices[i])
	return l, err
}

func (s *subset) Classes() []string { return ClassNames(s.parent) }

// Indices returns the parent dataset's index of each item.
func (s *subset) Indices() []int { return s.indices }

// First returns the first n items of ds (all of them when ds has fewer).
func First(ds Dataset, n int) (Dataset, error) {
	if n < 0 {
		return nil, fmt.Errorf("data: First: negative count %d", n)
	}
	n = min(n, ds.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return Subset(ds, idx)
}

// Split shuffles ds's items with seed and returns the first n of them and
// the rest, e.g. a validation set and a training set. The same seed gives
// the same split.
func Split(ds Dataset, n int, seed int64) (first, rest Dataset, err error) {
	if n < 0 || n > ds.Len() {
		return nil, nil, fmt.Errorf("data: Split: %d items requested from a dataset of %d", n, ds.Len())
	}
	perm := rand.New(&splitMix{state: mix(tagSplit, uint64(seed))}).Perm(ds.Len())
	if first, err = Subset(ds, perm[:n]); err != nil {
		return nil, nil, err
	}
	if rest, err = Subset(ds, perm[n:]); err != nil {
		return nil, nil, err
	}
	return first, rest, nil
}
