package gpu

import (
	"fmt"
	"sort"
)

// Buffer is one value's memory in a Plan: Size float32 values, live from
// step First to step Last inclusive (written at First, last read at Last).
// PlanBuffers sets Offset, in values, within the arena.
type Buffer struct {
	Size        int
	First, Last int
	Offset      int
}

// Plan places buffers in one arena so that two buffers share bytes only if
// their lifetimes do not overlap. Peak is the arena's size; Naive the sum
// of all sizes (one allocation per value, as gorgonia's tape machine does).
type Plan struct {
	Buffers []Buffer
	Peak    int
	Naive   int
}

// align keeps every buffer on a 256-byte boundary (cuBLAS and coalesced
// loads prefer it).
const align = 64

func roundUp(n int) int { return (n + align - 1) / align * align }

// PlanBuffers assigns offsets greedily, largest buffer first, each at the
// lowest offset where it fits beside the buffers already placed whose
// lifetimes overlap its own. The result is never larger than Naive.
func PlanBuffers(bufs []Buffer) (Plan, error) {
	p := Plan{Buffers: append([]Buffer(nil), bufs...)}
	order := make([]int, len(bufs))
	for i, b := range bufs {
		if b.Size < 0 || b.First > b.Last {
			return Plan{}, fmt.Errorf("gpu: buffer %d has size %d and lifetime [%d, %d]", i, b.Size, b.First, b.Last)
		}
		order[i] = i
		p.Naive += roundUp(b.Size)
	}
	sort.SliceStable(order, func(i, j int) bool {
		bi, bj := bufs[order[i]], bufs[order[j]]
		if bi.Size != bj.Size {
			return bi.Size > bj.Size
		}
		return bi.First < bj.First
	})
	var placed []int
	type span struct{ lo, hi int }
	for _, i := range order {
		b := &p.Buffers[i]
		size := roundUp(b.Size)
		var busy []span
		for _, j := range placed {
			o := p.Buffers[j]
			if o.First <= b.Last && b.First <= o.Last {
				busy = append(busy, span{o.Offset, o.Offset + roundUp(o.Size)})
			}
		}
		sort.Slice(busy, func(x, y int) bool { return busy[x].lo < busy[y].lo })
		off := 0
		for _, s := range busy {
			if off+size <= s.lo {
				break
			}
			if s.hi > off {
				off = s.hi
			}
		}
		b.Offset = off
		if off+size > p.Peak {
			p.Peak = off + size
		}
		placed = append(placed, i)
	}
	return p, nil
}

// Check verifies that no two buffers with overlapping lifetimes overlap in
// the arena, and that all lie inside it.
func (p Plan) Check() error {
	for i, a := range p.Buffers {
		if a.Offset < 0 || a.Offset+a.Size > p.Peak {
			return fmt.Errorf("gpu: buffer %d [%d, %d) lies outside the %d-value arena", i, a.Offset, a.Offset+a.Size, p.Peak)
		}
		for j := i + 1; j < len(p.Buffers); j++ {
			b := p.Buffers[j]
			if a.Size == 0 || b.Size == 0 {
				continue
			}
			live := a.First <= b.Last && b.First <= a.Last
			mem := a.Offset < b.Offset+b.Size && b.Offset < a.Offset+a.Size
			if live && mem {
				return fmt.Errorf("gpu: buffers %d (steps %d–%d, values %d–%d) and %d (steps %d–%d, values %d–%d) overlap",
					i, a.First, a.Last, a.Offset, a.Offset+a.Size, j, b.First, b.Last, b.Offset, b.Offset+b.Size)
			}
		}
	}
	return nil
}
