package eval

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/gossl/gossl/sslkit/ambient"
)

// KNNOptions choose the weighted kNN protocol.
type KNNOptions struct {
	// K is the number of nearest training features that vote (default
	// 20, solo-learn's). When the training set is smaller, all of it votes.
	K int
	// Temperature T of the vote weight exp(sim/T) (default 0.1, InstDisc's).
	Temperature float64
}

// DefaultKNNOptions returns the k=20, T=0.1 protocol (KNN20); change the
// fields you need. Every field is used as given.
func DefaultKNNOptions() KNNOptions { return KNN20 }

// The two protocols SSL papers report, both with InstDisc's T = 0.1:
// k=20 (solo-learn's default k; its default T is 0.07) and k=200
// (InstDisc's and lightly's knn_predict defaults).
var (
	KNN20  = KNNOptions{K: 20, Temperature: 0.1}
	KNN200 = KNNOptions{K: 200, Temperature: 0.1}
)

func (o KNNOptions) validate() error {
	if o.K < 1 {
		return fmt.Errorf("eval: kNN: K must be positive, got %d (start from eval.DefaultKNNOptions())", o.K)
	}
	if !(o.Temperature > 0) || math.IsInf(o.Temperature, 0) {
		return fmt.Errorf("eval: kNN: Temperature must be positive and finite, got %g (start from eval.DefaultKNNOptions())", o.Temperature)
	}
	return nil
}

// KNNResult is the accuracy of weighted kNN with its protocol.
type KNNResult struct {
	Top1, Top5  float64 // percent of test rows
	K           int     // neighbours that voted: min(requested K, Train)
	Temperature float64
	Train, Test int
	Classes     int
	// Predictions[i] is the top-1 class of test row i.
	Predictions []int
}

func (r KNNResult) String() string {
	return fmt.Sprintf("kNN top-1 %.2f%% top-5 %.2f%% (cosine, k=%d, T=%g, train %d, test %d, %d classes)",
		r.Top1, r.Top5, r.K, r.Temperature, r.Train, r.Test, r.Classes)
}

// KNN classifies every test feature by weighted vote of its K most
// similar training features and reports top-1 and top-5 accuracy, as
// solo-learn's WeightedKNNClassifier and lightly's knn_predict do: rows are
// L2-normalised, similarity is the cosine, and each neighbour adds
// exp(sim/T) to its class's score. Deterministic tie rules: among equally
// similar training rows the lower index is nearer; among classes with equal
// scores the lower class ranks first. Top-5 counts a hit when the true class
// is among the five best-scoring classes that received a vote (with fewer
// than five voted classes, only those). The similarity matrix is computed in
// chunks on all cores.
func KNN(ctx context.Context, train, test *Features, opt KNNOptions) (KNNResult, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	if err := opt.validate(); err != nil {
		return KNNResult{}, err
	}
	if err := train.checkLabelled("kNN train"); err != nil {
		return KNNResult{}, err
	}
	if err := test.checkLabelled("kNN test"); err != nil {
		return KNNResult{}, err
	}
	if train.D != test.D {
		return KNNResult{}, fmt.Errorf("eval: kNN: train has dimension %d, test %d", train.D, test.D)
	}
	k := min(opt.K, train.N)
	classes := max(numClasses(train.Labels), numClasses(test.Labels))
	res := KNNResult{K: k, Temperature: opt.Temperature, Train: train.N, Test: test.N, Classes: classes,
		Predictions: make([]int, test.N)}
	tr, te := train.Normalized(), test.Normalized()

	type scratch struct {
		top    topK
		scores []float64
		voted  []bool
		order  []int
		hit1   int
		hit5   int
	}
	ws := make([]*scratch, workers())
	for i := range ws {
		ws[i] = &scratch{top: newTopK(k), scores: make([]float64, classes), voted: make([]bool, classes), order: make([]int, 0, classes)}
	}
	invT := 1 / opt.Temperature
	err := similarityChunks(ctx, te, tr, func(w, r0, r1 int, sims []float32) {
		s := ws[w]
		for r := r0; r < r1; r++ {
			row := sims[(r-r0)*tr.N : (r-r0+1)*tr.N]
			s.top.reset()
			s.top.scan(row)
			for _, c := range s.order {
				s.scores[c], s.voted[c] = 0, false
			}
			s.order = s.order[:0]
			// Weights are exp((sim-best)/T): the common factor exp(best/T)
			// changes no ranking and keeps small temperatures from
			// overflowing or underflowing to all-zero scores.
			best := float64(s.top.sim[0])
			for i := 0; i < s.top.n; i++ {
				c := tr.Labels[s.top.idx[i]]
				if !s.voted[c] {
					s.voted[c] = true
					s.order = append(s.order, c)
				}
				s.scores[c] += math.Exp((float64(s.top.sim[i]) - best) * invT)
			}
			sort.Slice(s.order, func(a, b int) bool {
				ca, cb := s.order[a], s.order[b]
				if s.scores[ca] != s.scores[cb] {
					return s.scores[ca] > s.scores[cb]
				}
				return ca < cb
			})
			res.Predictions[r] = s.order[0]
			want := te.Labels[r]
			if s.order[0] == want {
				s.hit1++
			}
			for _, c := range s.order[:min(5, len(s.order))] {
				if c == want {
					s.hit5++
				}
			}
		}
	})
	if err != nil {
		return KNNResult{}, fmt.Errorf("eval: kNN: %w", err)
	}
	var h1, h5 int
	for _, s := range ws {
		h1 += s.hit1
		h5 += s.hit5
	}
	res.Top1 = 100 * float64(h1) / float64(test.N)
	res.Top5 = 100 * float64(h5) / float64(test.N)
	return res, nil
}

// Neighbours lists, for each query, its K most similar gallery rows by
// cosine similarity, nearest first.
type Neighbours struct {
	K              int
	Gallery        int
	Indices        [][]int     // Indices[q][j]: gallery row of query q's j-th neighbour
	Similarities   [][]float32 // cosine similarity of that neighbour
	QueryLabels    []int       // nil when the queries are unlabelled
	NeighbourLabel [][]int     // gallery labels of the neighbours; nil when unlabelled
}

func (n *Neighbours) String() string {
	return fmt.Sprintf("nearest neighbours: %d queries × %d (cosine, gallery %d)", len(n.Indices), n.K, n.Gallery)
}

// NearestNeighbours finds the k gallery rows most similar (cosine) to each
// query row; k larger than the gallery is clamped to its size. Equally
// similar gallery rows are ordered by index.
func NearestNeighbours(ctx context.Context, gallery, queries *Features, k int) (*Neighbours, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	if err := gallery.check("neighbours gallery"); err != nil {
		return nil, err
	}
	if err := queries.check("neighbours queries"); err != nil {
		return nil, err
	}
	if gallery.D != queries.D {
		return nil, fmt.Errorf("eval: neighbours: gallery has dimension %d, queries %d", gallery.D, queries.D)
	}
	if k < 1 {
		return nil, fmt.Errorf("eval: neighbours: k must be positive, got %d", k)
	}
	if gallery.N == 0 {
		return nil, fmt.Errorf("eval: neighbours: empty gallery")
	}
	k = min(k, gallery.N)
	out := &Neighbours{K: k, Gallery: gallery.N, Indices: make([][]int, queries.N), Similarities: make([][]float32, queries.N), QueryLabels: queries.Labels}
	tops := make([]topK, workers())
	for i := range tops {
		tops[i] = newTopK(k)
	}
	g, q := gallery.Normalized(), queries.Normalized()
	err := similarityChunks(ctx, q, g, func(w, r0, r1 int, sims []float32) {
		t := &tops[w]
		for r := r0; r < r1; r++ {
			t.reset()
			t.scan(sims[(r-r0)*g.N : (r-r0+1)*g.N])
			idx := make([]int, t.n)
			sim := make([]float32, t.n)
			for i := 0; i < t.n; i++ {
				idx[i], sim[i] = int(t.idx[i]), t.sim[i]
			}
			out.Indices[r], out.Similarities[r] = idx, sim
		}
	})
	if err != nil {
		return nil, fmt.Errorf("eval: neighbours: %w", err)
	}
	if gallery.Labels != nil {
		out.NeighbourLabel = make([][]int, queries.N)
		for q, idx := range out.Indices {
			out.NeighbourLabel[q] = make([]int, len(idx))
			for j, i := range idx {
				out.NeighbourLabel[q][j] = gallery.Labels[i]
			}
		}
	}
	return out, nil
}

// topK keeps the k largest similarities of a row. While scanning it is a
// min-heap whose root is the worst kept entry; scan leaves it sorted best
// first. "Better" means a higher similarity, or the same similarity and a
// lower index, so results do not depend on chunking or worker order.
type topK struct {
	k   int
	n   int
	sim []float32
	idx []int32
}

func newTopK(k int) topK {
	return topK{k: k, sim: make([]float32, k), idx: make([]int32, k)}
}

func (t *topK) reset() { t.n = 0 }

// worse reports whether entry a ranks below entry b.
func (t *topK) worse(a, b int) bool {
	if t.sim[a] != t.sim[b] {
		return t.sim[a] < t.sim[b]
	}
	return t.idx[a] > t.idx[b]
}

func (t *topK) swap(a, b int) {
	t.sim[a], t.sim[b] = t.sim[b], t.sim[a]
	t.idx[a], t.idx[b] = t.idx[b], t.idx[a]
}

func (t *topK) down(i, n int) {
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && t.worse(r, l) {
			m = r
		}
		if !t.worse(m, i) {
			return
		}
		t.swap(i, m)
		i = m
	}
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.worse(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

// scan offers every entry of row (indices ascending, so an entry equal to
// the root is never better) and sorts the kept ones best first.
func (t *topK) scan(row []float32) {
	for j, s := range row {
		if t.n < t.k {
			t.sim[t.n], t.idx[t.n] = s, int32(j)
			t.n++
			t.up(t.n - 1)
			continue
		}
		if s > t.sim[0] {
			t.sim[0], t.idx[0] = s, int32(j)
			t.down(0, t.n)
		}
	}
	// heapsort: repeatedly move the worst to the end, leaving best first
	for end := t.n - 1; end > 0; end-- {
		t.swap(0, end)
		t.down(0, end)
	}
}
