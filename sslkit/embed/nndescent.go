package embed

import (
	"context"
	"math"
	"math/rand"
	"sort"
	"sync"

	"github.com/gossl/gossl/sslkit/ambient"
)

// nnDescent finds approximate k nearest neighbours (self excluded) by
// NN-descent (Dong, Moses & Li 2011) started from random-projection-tree
// leaves, as pynndescent does: each round joins every point's new
// candidates with each other and with its old ones, and stops when fewer
// than delta·n·k neighbour lists changed.
func nnDescent(ctx context.Context, p points, k int, seed int64, workers int) (neighbors, error) {
	n := p.n
	const (
		maxCandidates = 60
		delta         = 0.001
	)
	nTrees := min(64, 5+int(math.Round(math.Sqrt(float64(n))/20)))
	leafSize := max(10, k+1)
	maxIters := max(5, int(math.Round(math.Log2(float64(n)))))

	heaps := make([]knnHeap, n)
	store := neighbors{n: n, k: k, idx: make([]int32, n*k), dist: make([]float32, n*k)}
	isNew := make([]bool, n*k)
	for i := range heaps {
		heaps[i] = knnHeap{idx: store.idx[i*k : i*k : (i+1)*k], dist: store.dist[i*k : i*k : (i+1)*k], isNew: isNew[i*k : (i+1)*k]}
	}

	// random projection trees: leaf-mates are first candidates
	leaves := make([][][]int32, nTrees)
	parallelFor(workers, nTrees, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			rng := rand.New(rand.NewSource(seed*7919 + int64(t) + 1))
			all := make([]int32, n)
			for i := range all {
				all[i] = int32(i)
			}
			leaves[t] = rpTree(p, all, leafSize, rng, nil)
		}
	})
	if err := ambient.Err(ctx); err != nil {
		return neighbors{}, err
	}
	leafOf := make([][]int32, nTrees) // point → leaf number, per tree
	for t := range leaves {
		leafOf[t] = make([]int32, n)
		for l, leaf := range leaves[t] {
			for _, i := range leaf {
				leafOf[t][i] = int32(l)
			}
		}
	}
	parallelFor(workers, n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			h := &heaps[i]
			pi := p.row(i)
			for t := range leaves {
				for _, j := range leaves[t][leafOf[t][i]] {
					if int(j) != i && !h.contains(j) {
						h.push(j, sqDist(pi, p.row(int(j))), k)
					}
				}
			}
		}
	})
	// top up points whose leaves were too small, with random points
	rng := rand.New(rand.NewSource(seed))
	for i := range heaps {
		for tries := 0; len(heaps[i].idx) < k && tries < 4*k+n; tries++ {
			j := int32(rng.Intn(n))
			if int(j) != i && !heaps[i].contains(j) {
				heaps[i].push(j, sqDist(p.row(i), p.row(int(j))), k)
			}
		}
	}

	type update struct {
		a, b int32
		d    float32
	}
	newC := make([][]int32, n)
	oldC := make([][]int32, n)
	bufs := make([][]update, workers)
	var mu sync.Mutex
	for iter := 0; iter < maxIters; iter++ {
		if err := ambient.Err(ctx); err != nil {
			return neighbors{}, err
		}
		// candidates: forward and reverse neighbours, sampled
		for i := range newC {
			newC[i], oldC[i] = newC[i][:0], oldC[i][:0]
		}
		for i := range heaps {
			h := &heaps[i]
			for t, j := range h.idx {
				if h.isNew[t] {
					newC[i] = append(newC[i], j)
					newC[j] = append(newC[j], int32(i))
				} else {
					oldC[i] = append(oldC[i], j)
					oldC[j] = append(oldC[j], int32(i))
				}
			}
		}
		for i := range newC {
			newC[i] = sampleDistinct(newC[i], maxCandidates, rng)
			oldC[i] = sampleDistinct(oldC[i], maxCandidates, rng)
		}
		// sampled new candidates become old
		for i := range heaps {
			h := &heaps[i]
			for t, j := range h.idx {
				if h.isNew[t] && containsInt32(newC[i], j) {
					h.isNew[t] = false
				}
			}
		}
		thr := make([]float32, n)
		for i := range heaps {
			thr[i] = heaps[i].threshold(k)
		}
		// local join
		for w := range bufs {
			bufs[w] = bufs[w][:0]
		}
		var wid int
		parallelFor(workers, n, 64, func(lo, hi int) {
			_ = lo
			mu.Lock()
			w := wid % workers
			wid++
			mu.Unlock()
			var local []update
			for v := lo; v < hi; v++ {
				nc, oc := newC[v], oldC[v]
				for x, a := range nc {
					pa := p.row(int(a))
					for _, b := range nc[x+1:] {
						if a == b {
							continue
						}
						d := sqDist(pa, p.row(int(b)))
						if d < thr[a] || d < thr[b] {
							local = append(local, update{a, b, d})
						}
					}
					for _, b := range oc {
						if a == b {
							continue
						}
						d := sqDist(pa, p.row(int(b)))
						if d < thr[a] || d < thr[b] {
							local = append(local, update{a, b, d})
						}
					}
				}
			}
			mu.Lock()
			bufs[w] = append(bufs[w], local...)
			mu.Unlock()
		})
		// apply: worker w owns the points i with i % workers == w
		changes := make([]int, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for _, buf := range bufs {
					for _, u := range buf {
						if int(u.a)%workers == w && heaps[u.a].tryPush(u.b, u.d, k) {
							changes[w]++
						}
						if int(u.b)%workers == w && heaps[u.b].tryPush(u.a, u.d, k) {
							changes[w]++
						}
					}
				}
			}(w)
		}
		wg.Wait()
		total := 0
		for _, c := range changes {
			total += c
		}
		if float64(total) <= delta*float64(k*n) {
			break
		}
	}
	for i := range heaps {
		h := &heaps[i]
		sortPairs(h.idx, h.dist)
	}
	return store, nil
}

// knnHeap is a max-heap of a point's k best neighbours with a "new" flag
// per entry (not yet used as a join candidate).
type knnHeap struct {
	idx   []int32
	dist  []float32
	isNew []bool
}

func (h *knnHeap) contains(j int32) bool { return containsInt32(h.idx, j) }

func (h *knnHeap) threshold(k int) float32 {
	if len(h.idx) < k {
		return float32(math.Inf(1))
	}
	return h.dist[0]
}

func (h *knnHeap) push(j int32, d float32, k int) {
	mh := maxHeap{idx: h.idx, dist: h.dist}
	before := len(mh.idx)
	mh.push(j, d, k)
	h.idx, h.dist = mh.idx, mh.dist
	// flags do not follow the heap's swaps exactly; all entries pushed
	// during initialisation are new, which is what they should be
	_ = before
	for t := range h.idx {
		h.isNew[t] = true
	}
}

// tryPush inserts (j, d) if it beats the worst and j is absent; it keeps
// the flags aligned with the heap order.
func (h *knnHeap) tryPush(j int32, d float32, k int) bool {
	if len(h.idx) == k && d >= h.dist[0] {
		return false
	}
	if h.contains(j) {
		return false
	}
	if len(h.idx) < k {
		h.idx = append(h.idx, j)
		h.dist = append(h.dist, d)
		c := len(h.idx) - 1
		h.isNew[c] = true
		for c > 0 {
			p := (c - 1) / 2
			if h.dist[p] >= h.dist[c] {
				break
			}
			h.swap(p, c)
			c = p
		}
		return true
	}
	h.idx[0], h.dist[0], h.isNew[0] = j, d, true
	n := len(h.idx)
	for p := 0; ; {
		c := 2*p + 1
		if c >= n {
			break
		}
		if c+1 < n && h.dist[c+1] > h.dist[c] {
			c++
		}
		if h.dist[p] >= h.dist[c] {
			break
		}
		h.swap(p, c)
		p = c
	}
	return true
}

func (h *knnHeap) swap(a, b int) {
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
	h.dist[a], h.dist[b] = h.dist[b], h.dist[a]
	h.isNew[a], h.isNew[b] = h.isNew[b], h.isNew[a]
}

func containsInt32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sampleDistinct removes duplicates from s and keeps at most m of them,
// chosen at random.
func sampleDistinct(s []int32, m int, rng *rand.Rand) []int32 {
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) > m {
		rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
		out = out[:m]
	}
	return out
}

// rpTree splits idx by random hyperplanes (equidistant from two random
// points) until each part has at most leafSize points, appending the
// leaves to out.
func rpTree(p points, idx []int32, leafSize int, rng *rand.Rand, out [][]int32) [][]int32 {
	if len(idx) <= leafSize {
		return append(out, idx)
	}
	a := idx[rng.Intn(len(idx))]
	b := idx[rng.Intn(len(idx))]
	for tries := 0; a == b && tries < 8; tries++ {
		b = idx[rng.Intn(len(idx))]
	}
	pa, pb := p.row(int(a)), p.row(int(b))
	normal := make([]float32, p.d)
	var offset float32
	for j := range normal {
		normal[j] = pa[j] - pb[j]
		offset -= normal[j] * (pa[j] + pb[j]) / 2
	}
	lo, hi := 0, len(idx)
	for lo < hi {
		r := p.row(int(idx[lo]))
		var s = offset
		for j, v := range r {
			s += normal[j] * v
		}
		side := s > 0
		if s == 0 {
			side = rng.Intn(2) == 0
		}
		if side {
			lo++
		} else {
			hi--
			idx[lo], idx[hi] = idx[hi], idx[lo]
		}
	}
	if lo == 0 || lo == len(idx) { // degenerate: split at random
		rng.Shuffle(len(idx), func(x, y int) { idx[x], idx[y] = idx[y], idx[x] })
		lo = len(idx) / 2
	}
	out = rpTree(p, idx[:lo:lo], leafSize, rng, out)
	return rpTree(p, idx[lo:], leafSize, rng, out)
}
