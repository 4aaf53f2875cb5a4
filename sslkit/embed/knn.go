package embed

import (
	"context"
	"sort"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
)

// neighbors holds k neighbours per point, nearest first: indices and
// squared Euclidean distances, row-major n×k.
type neighbors struct {
	n, k int
	idx  []int32
	dist []float32
}

func (nb neighbors) rowIdx(i int) []int32    { return nb.idx[i*nb.k : (i+1)*nb.k] }
func (nb neighbors) rowDist(i int) []float32 { return nb.dist[i*nb.k : (i+1)*nb.k] }

// maxHeap keeps the k smallest distances seen, largest on top.
type maxHeap struct {
	idx  []int32
	dist []float32
}

func (h *maxHeap) reset() { h.idx, h.dist = h.idx[:0], h.dist[:0] }

// push offers (j, d) to a heap of capacity k.
func (h *maxHeap) push(j int32, d float32, k int) {
	if len(h.idx) < k {
		h.idx = append(h.idx, j)
		h.dist = append(h.dist, d)
		for c := len(h.idx) - 1; c > 0; {
			p := (c - 1) / 2
			if h.dist[p] >= h.dist[c] {
				break
			}
			h.idx[p], h.idx[c] = h.idx[c], h.idx[p]
			h.dist[p], h.dist[c] = h.dist[c], h.dist[p]
			c = p
		}
		return
	}
	if d >= h.dist[0] {
		return
	}
	h.idx[0], h.dist[0] = j, d
	siftDown(h.idx, h.dist, 0)
}

func siftDown(idx []int32, dist []float32, p int) {
	n := len(idx)
	for {
		c := 2*p + 1
		if c >= n {
			return
		}
		if c+1 < n && dist[c+1] > dist[c] {
			c++
		}
		if dist[p] >= dist[c] {
			return
		}
		idx[p], idx[c] = idx[c], idx[p]
		dist[p], dist[c] = dist[c], dist[p]
		p = c
	}
}

// sortPairs sorts (idx, dist) by distance, then index.
func sortPairs(idx []int32, dist []float32) {
	sort.Sort(pairSorter{idx, dist})
}

type pairSorter struct {
	idx  []int32
	dist []float32
}

func (s pairSorter) Len() int { return len(s.idx) }
func (s pairSorter) Less(a, b int) bool {
	if s.dist[a] != s.dist[b] {
		return s.dist[a] < s.dist[b]
	}
	return s.idx[a] < s.idx[b]
}
func (s pairSorter) Swap(a, b int) {
	s.idx[a], s.idx[b] = s.idx[b], s.idx[a]
	s.dist[a], s.dist[b] = s.dist[b], s.dist[a]
}

// exactKNN finds the k nearest neighbours of each query row among ref
// (self excluded when self is true, in which case q and ref are the same
// points). Distances come from blocked matrix products (|a|²+|b|²−2a·b)
// for speed; the chosen neighbours' distances are then recomputed
// directly so they carry no cancellation error.
func exactKNN(ctx context.Context, q, ref points, k int, self bool, workers int) (neighbors, error) {
	nb := neighbors{n: q.n, k: k, idx: make([]int32, q.n*k), dist: make([]float32, q.n*k)}
	refNorm := rowNorms(ref)
	qNorm := refNorm
	if !self {
		qNorm = rowNorms(q)
	}
	// one GEMM at a time (sslkit/gemm's OpenBLAS is itself threaded), the
	// selection of each block's rows in parallel
	block := max(32, min(1024, (8<<20)/ref.n))
	g := make([]float32, block*ref.n)
	heaps := make([]maxHeap, block)
	for r0 := 0; r0 < q.n; r0 += block {
		if err := ambient.Err(ctx); err != nil {
			return nb, err
		}
		r1 := min(r0+block, q.n)
		m := r1 - r0
		gemm.Sgemm(false, true, m, ref.n, q.d, 1, q.v[r0*q.d:r1*q.d], q.d, ref.v, ref.d, 0, g[:m*ref.n], ref.n)
		parallelFor(workers, m, 8, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				i := r0 + r
				h := &heaps[r]
				h.reset()
				row := g[r*ref.n : (r+1)*ref.n]
				for j, dot := range row {
					if self && j == i {
						continue
					}
					d := qNorm[i] + refNorm[j] - 2*dot
					if len(h.idx) == k && d >= h.dist[0] {
						continue
					}
					h.push(int32(j), d, k)
				}
				qi := q.row(i)
				for t, j := range h.idx {
					h.dist[t] = sqDist(qi, ref.row(int(j)))
				}
				sortPairs(h.idx, h.dist)
				copy(nb.rowIdx(i), h.idx)
				copy(nb.rowDist(i), h.dist)
			}
		})
	}
	return nb, nil
}

func rowNorms(p points) []float32 {
	out := make([]float32, p.n)
	for i := range out {
		r := p.row(i)
		var s float32
		for _, v := range r {
			s += v * v
		}
		out[i] = s
	}
	return out
}
