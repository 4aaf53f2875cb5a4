package data

import "math/rand"

// splitMix is SplitMix64 as a math/rand Source64: seeding is free (unlike
// math/rand's own source, which fills 607 words), so every sample of every
// epoch can have its own rng, and its sequence never changes with Go's
// version.
type splitMix struct{ state uint64 }

func (s *splitMix) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (s *splitMix) Int63() int64    { return int64(s.Uint64() >> 1) }
func (s *splitMix) Seed(seed int64) { s.state = uint64(seed) }

// mix hashes its arguments into one seed; different argument lists give
// unrelated seeds.
func mix(vals ...uint64) uint64 {
	s := splitMix{state: 0x6a09e667f3bcc909}
	h := s.Uint64()
	for _, v := range vals {
		s.state ^= v + h
		h = s.Uint64()
	}
	return h
}

// Domain tags keep the epoch's order and the samples' rngs independent.
const (
	tagOrder  = 1
	tagSample = 2
	tagSplit  = 3
)

// SampleRand returns the rng that a Loader with this seed hands its Viewer
// for dataset item index in the given epoch. The views of an item are
// therefore reproducible outside the loader:
//
//	img, _, _ := ds.Item(i)
//	views, _ := viewer.Views(img, data.SampleRand(seed, epoch, i))
func SampleRand(seed int64, epoch, index int) *rand.Rand {
	return rand.New(&splitMix{state: mix(tagSample, uint64(seed), uint64(epoch), uint64(index))})
}

// EpochOrder returns the order in which a shuffling Loader with this seed
// visits the n items of a dataset in the given epoch: a permutation of
// 0..n-1 that depends only on (seed, epoch, n).
func EpochOrder(seed int64, epoch, n int) []int {
	if n <= 0 {
		return nil
	}
	return rand.New(&splitMix{state: mix(tagOrder, uint64(seed), uint64(epoch))}).Perm(n)
}
