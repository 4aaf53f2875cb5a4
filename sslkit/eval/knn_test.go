package eval

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/ambient"
)

func randomFeatures(rng *rand.Rand, n, d, classes int) *Features {
	f := &Features{N: n, D: d, Data: make([]float32, n*d), Labels: make([]int, n)}
	for i := range f.Data {
		f.Data[i] = float32(rng.NormFloat64())
	}
	for i := range f.Labels {
		f.Labels[i] = rng.Intn(classes)
	}
	return f
}

// clusters draws n points around one random centre per class.
func clusters(rng *rand.Rand, centres [][]float64, n int, noise float64) *Features {
	d := len(centres[0])
	f := &Features{N: n, D: d, Data: make([]float32, n*d), Labels: make([]int, n)}
	for i := 0; i < n; i++ {
		c := rng.Intn(len(centres))
		f.Labels[i] = c
		for j := 0; j < d; j++ {
			f.Data[i*d+j] = float32(centres[c][j] + noise*rng.NormFloat64())
		}
	}
	return f
}

func randomCentres(rng *rand.Rand, classes, d int) [][]float64 {
	out := make([][]float64, classes)
	for c := range out {
		out[c] = make([]float64, d)
		for j := range out[c] {
			out[c][j] = rng.NormFloat64()
		}
	}
	return out
}

// bruteKNN is the textbook definition in float64: sort every training row
// by cosine similarity, let the k best vote with exp(sim/T), rank classes.
func bruteKNN(train, test *Features, k int, T float64) (pred []int, top1, top5 float64) {
	norm := func(v []float32) []float64 {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x) / math.Sqrt(s)
		}
		return out
	}
	k = min(k, train.N)
	classes := max(numClasses(train.Labels), numClasses(test.Labels))
	var h1, h5 int
	for q := 0; q < test.N; q++ {
		a := norm(test.Row(q))
		sims := make([]float64, train.N)
		order := make([]int, train.N)
		for i := range sims {
			b := norm(train.Row(i))
			for j := range a {
				sims[i] += a[j] * b[j]
			}
			order[i] = i
		}
		sort.SliceStable(order, func(x, y int) bool { return sims[order[x]] > sims[order[y]] })
		score := make([]float64, classes)
		voted := make([]bool, classes)
		for _, i := range order[:k] {
			score[train.Labels[i]] += math.Exp(sims[i] / T)
			voted[train.Labels[i]] = true
		}
		var cls []int
		for c := range score {
			if voted[c] {
				cls = append(cls, c)
			}
		}
		sort.SliceStable(cls, func(x, y int) bool { return score[cls[x]] > score[cls[y]] })
		pred = append(pred, cls[0])
		if cls[0] == test.Labels[q] {
			h1++
		}
		for _, c := range cls[:min(5, len(cls))] {
			if c == test.Labels[q] {
				h5++
			}
		}
	}
	return pred, 100 * float64(h1) / float64(test.N), 100 * float64(h5) / float64(test.N)
}

func TestKNNMatchesBruteForce(t *testing.T) {
	old := similarityBudget
	similarityBudget = 300 * 7 // 7 test rows per chunk: many chunks over both workers
	defer func() { similarityBudget = old }()
	rng := rand.New(rand.NewSource(1))
	train := randomFeatures(rng, 300, 16, 9)
	test := randomFeatures(rng, 101, 16, 9)
	for _, k := range []int{1, 5, 20, 200, 300, 1000} {
		for _, T := range []float64{0.07, 0.1, 1} {
			got, err := KNN(context.Background(), train, test, KNNOptions{K: k, Temperature: T})
			if err != nil {
				t.Fatal(err)
			}
			pred, top1, top5 := bruteKNN(train, test, k, T)
			for i := range pred {
				if pred[i] != got.Predictions[i] {
					t.Fatalf("k=%d T=%g: test row %d predicted %d, brute force %d", k, T, i, got.Predictions[i], pred[i])
				}
			}
			if math.Abs(got.Top1-top1) > 1e-9 || math.Abs(got.Top5-top5) > 1e-9 {
				t.Errorf("k=%d T=%g: top-1/top-5 %.3f/%.3f, brute force %.3f/%.3f", k, T, got.Top1, got.Top5, top1, top5)
			}
			if got.K != min(k, 300) || got.Train != 300 || got.Test != 101 || got.Classes != 9 {
				t.Errorf("protocol fields %+v", got)
			}
		}
	}
}

// Hand-checked: test (1, 0.1) against train (1,0)→0, (0,1)→1, (1,1)→1.
// Cosines: 1/√1.01 = 0.99504, 0.1/√1.01 = 0.09950, 1.1/√2.02 = 0.77395.
// T=0.1, k=3: class 0 gets e^9.9504 ≈ 20959, class 1 e^0.995 + e^7.7395 ≈ 2300 → 0.
// T=1, k=3: class 0 gets e^0.99504 ≈ 2.705, class 1 e^0.0995 + e^0.77395 ≈ 3.273 → 1.
// k=1 (any T): the nearest, (1,0) → 0.
func TestKNNHandChecked(t *testing.T) {
	train, _ := NewFeatures([]float32{1, 0, 0, 1, 1, 1}, 3, 2, []int{0, 1, 1})
	test, _ := NewFeatures([]float32{1, 0.1}, 1, 2, []int{1})
	for _, c := range []struct {
		k    int
		T    float64
		want int
	}{{3, 0.1, 0}, {3, 1, 1}, {1, 1, 0}, {2, 1, 0}, {50, 1, 1}} {
		r, err := KNN(context.Background(), train, test, KNNOptions{K: c.k, Temperature: c.T})
		if err != nil {
			t.Fatal(err)
		}
		if r.Predictions[0] != c.want {
			t.Errorf("k=%d T=%g: predicted %d, want %d", c.k, c.T, r.Predictions[0], c.want)
		}
		wantTop1 := 0.0
		if c.want == 1 {
			wantTop1 = 100
		}
		if r.Top1 != wantTop1 || r.Top5 != 100 && c.k > 1 {
			t.Errorf("k=%d T=%g: top-1 %g top-5 %g", c.k, c.T, r.Top1, r.Top5)
		}
		if r.K != min(c.k, 3) {
			t.Errorf("k=%d: K reported %d, want %d (k > n clamps to n)", c.k, r.K, min(c.k, 3))
		}
	}
}

func TestKNNTies(t *testing.T) {
	// Rows 0 and 1 are the same point with labels 3 and 1.
	train, _ := NewFeatures([]float32{1, 0, 1, 0, 0, 1}, 3, 2, []int{3, 1, 2})
	test, _ := NewFeatures([]float32{2, 0}, 1, 2, []int{3})
	// k=1: equally similar rows, the lower index (label 3) is nearer.
	r, _ := KNN(context.Background(), train, test, KNNOptions{K: 1, Temperature: 0.1})
	if r.Predictions[0] != 3 {
		t.Errorf("k=1 tie: predicted %d, want 3 (row 0)", r.Predictions[0])
	}
	// k=2: classes 3 and 1 score the same; the lower class wins.
	r, _ = KNN(context.Background(), train, test, KNNOptions{K: 2, Temperature: 0.1})
	if r.Predictions[0] != 1 || r.Top1 != 0 || r.Top5 != 100 {
		t.Errorf("k=2 tie: %v, want class 1, top-1 0, top-5 100", r)
	}
	nb, err := NearestNeighbours(context.Background(), train, test, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := nb.Indices[0]; got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Errorf("neighbour order %v, want [0 1 2]", got)
	}
}

// Top-5 counts only classes that received a vote.
func TestKNNTop5OnlyVotedClasses(t *testing.T) {
	train, _ := NewFeatures([]float32{1, 0, 0.9, 0.1, 0, 1}, 3, 2, []int{0, 0, 7})
	test, _ := NewFeatures([]float32{1, 0}, 1, 2, []int{4})
	r, err := KNN(context.Background(), train, test, KNNOptions{K: 3, Temperature: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Top5 != 0 || r.Classes != 8 {
		t.Errorf("class 4 got no vote yet top-5 = %g (classes %d)", r.Top5, r.Classes)
	}
}

func TestKNNSeparableClusters(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	centres := randomCentres(rng, 10, 32)
	train := clusters(rng, centres, 2000, 0.1)
	test := clusters(rng, centres, 500, 0.1)
	for _, opt := range []KNNOptions{KNN20, KNN200} {
		r, err := KNN(context.Background(), train, test, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Top1 != 100 || r.Top5 != 100 {
			t.Errorf("%v: separable clusters should be classified perfectly", r)
		}
	}
	// Random labels give chance level, far below.
	shuffled := *train
	shuffled.Labels = append([]int(nil), train.Labels...)
	rng.Shuffle(len(shuffled.Labels), func(i, j int) { shuffled.Labels[i], shuffled.Labels[j] = shuffled.Labels[j], shuffled.Labels[i] })
	r, _ := KNN(context.Background(), &shuffled, test, KNN20)
	if r.Top1 > 25 {
		t.Errorf("shuffled labels: %v, want near 10%%", r)
	}
}

func TestKNNString(t *testing.T) {
	r := KNNResult{Top1: 81.2, Top5: 97.31, K: 20, Temperature: 0.1, Train: 60000, Test: 10000, Classes: 10}
	want := "kNN top-1 81.20% top-5 97.31% (cosine, k=20, T=0.1, train 60000, test 10000, 10 classes)"
	if r.String() != want {
		t.Errorf("got  %q\nwant %q", r.String(), want)
	}
}

func TestKNNErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	a := randomFeatures(rng, 10, 4, 2)
	b := randomFeatures(rng, 5, 3, 2)
	nan := randomFeatures(rng, 5, 4, 2)
	nan.Data[7] = float32(math.NaN())
	unl := randomFeatures(rng, 5, 4, 2)
	unl.Labels = nil
	for name, c := range map[string]struct {
		train, test *Features
		opt         KNNOptions
		want        string
	}{
		"dims":      {a, b, KNN20, "dimension"},
		"nan":       {a, nan, KNN20, "row 1, dimension 3"},
		"unlabeled": {unl, a, KNN20, "no labels"},
		"negK":      {a, a, KNNOptions{K: -1, Temperature: 0.1}, "K must be positive"},
		"negT":      {a, a, KNNOptions{K: 20, Temperature: -1}, "Temperature must be positive"},
		"nil":       {nil, a, KNN20, "nil features"},
	} {
		if _, err := KNN(context.Background(), c.train, c.test, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestKNNCancelled(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	a := randomFeatures(rng, 50, 4, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := KNN(ctx, a, a, KNN20); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
	// The notebook's interrupt arrives through sslkit/ambient.
	restore := ambient.Set(ctx)
	defer restore()
	if _, err := KNN(context.Background(), a, a, KNN20); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted cell: err = %v", err)
	}
	if _, err := NearestNeighbours(context.Background(), a, a, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted cell, neighbours: err = %v", err)
	}
}

func TestNearestNeighboursMatchBruteForce(t *testing.T) {
	old := similarityBudget
	similarityBudget = 100
	defer func() { similarityBudget = old }()
	rng := rand.New(rand.NewSource(5))
	g := randomFeatures(rng, 60, 8, 3)
	q := randomFeatures(rng, 9, 8, 3)
	q.Labels = nil
	nb, err := NearestNeighbours(context.Background(), g, q, 7)
	if err != nil {
		t.Fatal(err)
	}
	gn, qn := g.Normalized(), q.Normalized()
	for r := 0; r < q.N; r++ {
		sims := make([]float64, g.N)
		order := make([]int, g.N)
		for i := range sims {
			for j, v := range qn.Row(r) {
				sims[i] += float64(v) * float64(gn.Row(i)[j])
			}
			order[i] = i
		}
		sort.SliceStable(order, func(x, y int) bool { return sims[order[x]] > sims[order[y]] })
		for j := 0; j < 7; j++ {
			if nb.Indices[r][j] != order[j] || math.Abs(float64(nb.Similarities[r][j])-sims[order[j]]) > 1e-5 {
				t.Fatalf("query %d rank %d: got %d (%.6f), want %d (%.6f)", r, j, nb.Indices[r][j], nb.Similarities[r][j], order[j], sims[order[j]])
			}
			if nb.NeighbourLabel[r][j] != g.Labels[order[j]] {
				t.Fatalf("query %d rank %d: label %d, want %d", r, j, nb.NeighbourLabel[r][j], g.Labels[order[j]])
			}
		}
	}
	big, _ := NearestNeighbours(context.Background(), g, q, 1000)
	if big.K != 60 || len(big.Indices[0]) != 60 {
		t.Errorf("k > gallery: K %d, %d neighbours; want 60", big.K, len(big.Indices[0]))
	}
	if _, err := NearestNeighbours(context.Background(), g, q, 0); err == nil {
		t.Error("k = 0 accepted")
	}
}
