package gpu

import (
	"math/rand"
	"testing"
)

func TestPlanReusesMemoryWithoutOverlap(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.Intn(60)
		bufs := make([]Buffer, n)
		for i := range bufs {
			first := rng.Intn(40)
			bufs[i] = Buffer{Size: rng.Intn(5000), First: first, Last: first + rng.Intn(10)}
		}
		p, err := PlanBuffers(bufs)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if p.Peak > p.Naive {
			t.Fatalf("trial %d: peak %d > naive %d", trial, p.Peak, p.Naive)
		}
		// The arena can never be smaller than what is live at one step.
		for s := 0; s < 50; s++ {
			live := 0
			for _, b := range bufs {
				if b.First <= s && s <= b.Last {
					live += b.Size
				}
			}
			if live > p.Peak {
				t.Fatalf("trial %d: %d values live at step %d, arena %d", trial, live, s, p.Peak)
			}
		}
	}
}

func TestPlanSharesDisjointLifetimes(t *testing.T) {
	// A chain: each value read only by the next step. Two buffers suffice.
	var bufs []Buffer
	for i := 0; i < 10; i++ {
		bufs = append(bufs, Buffer{Size: 1000, First: i, Last: i + 1})
	}
	p, err := PlanBuffers(bufs)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * roundUp(1000); p.Peak != want {
		t.Errorf("chain of 10 needs an arena of %d, want %d", p.Peak, want)
	}
}

func TestPlanCheckFindsOverlap(t *testing.T) {
	p := Plan{Peak: 100, Buffers: []Buffer{{Size: 50, First: 0, Last: 3, Offset: 0}, {Size: 50, First: 2, Last: 4, Offset: 40}}}
	if p.Check() == nil {
		t.Error("overlapping live buffers passed the check")
	}
	p.Buffers[1].Offset = 50
	if err := p.Check(); err != nil {
		t.Error(err)
	}
	if _, err := PlanBuffers([]Buffer{{Size: 1, First: 3, Last: 2}}); err == nil {
		t.Error("a buffer that dies before it is written was accepted")
	}
}

// offsets lists the (a, b) offsets a strided operation visits, in order.
func offsets(s Strided) [][2]int {
	var out [][2]int
	idx := make([]int, len(s.Shape))
	for n := s.size(); n > 0; n-- {
		a, b := 0, 0
		for d := range idx {
			a += idx[d] * s.StrideA[d]
			b += idx[d] * s.StrideB[d]
		}
		out = append(out, [2]int{a, b})
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < s.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

func TestCollapseKeepsTheIndexSpace(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for trial := 0; trial < 500; trial++ {
		rank := 1 + rng.Intn(MaxRank)
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = 1 + rng.Intn(4)
		}
		strides := func() []int {
			st := dense(shape)
			switch rng.Intn(3) {
			case 0: // broadcast some axes
				for i := range st {
					if rng.Intn(2) == 0 {
						st[i] = 0
					}
				}
			case 1: // a permutation of a dense block
				rng.Shuffle(len(st), func(i, j int) { st[i], st[j] = st[j], st[i] })
			}
			return st
		}
		s := Strided{Shape: shape, StrideA: strides(), StrideB: strides()}
		c := s.collapse(true)
		if len(c.Shape) > len(s.Shape) {
			t.Fatalf("%+v collapsed to a higher rank %+v", s, c)
		}
		a, b := offsets(s), offsets(c)
		if len(a) != len(b) {
			t.Fatalf("%+v → %+v: %d values, want %d", s, c, len(b), len(a))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%+v → %+v: value %d reads %v, want %v", s, c, i, b[i], a[i])
			}
		}
	}
}
