package embed

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/ambient"
	"gonum.org/v1/gonum/mat"
)

func TestExactKNNMatchesBruteForce(t *testing.T) {
	x, _ := clusters(150, 7, 3, 2, 4)
	p, _ := toPoints(x, "test")
	nb, err := exactKNN(context.Background(), p, p, 6, true, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < p.n; i++ {
		// the 6th nearest distance by brute force
		var ds []float64
		for j := 0; j < p.n; j++ {
			if j != i {
				ds = append(ds, float64(sqDist(p.row(i), p.row(j))))
			}
		}
		kth := kthSmallest(ds, 6)
		got := nb.rowDist(i)
		if math.Abs(float64(got[5])-kth) > 1e-4*kth {
			t.Fatalf("point %d: 6th neighbour at %v; brute force %v", i, got[5], kth)
		}
		for t2, j := range nb.rowIdx(i) {
			if int(j) == i || (t2 > 0 && got[t2] < got[t2-1]) {
				t.Fatalf("point %d: neighbours %v (distances %v) contain self or are unsorted", i, nb.rowIdx(i), got)
			}
		}
	}
}

func kthSmallest(v []float64, k int) float64 {
	s := append([]float64(nil), v...)
	for i := 0; i < k; i++ {
		m := i
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[m] {
				m = j
			}
		}
		s[i], s[m] = s[m], s[i]
	}
	return s[k-1]
}

func TestNNDescentRecall(t *testing.T) {
	x, _ := clusters(1500, 16, 5, 1, 5)
	p, _ := toPoints(x, "test")
	exact, _ := exactKNN(context.Background(), p, p, 10, true, 2)
	approx, err := nnDescent(context.Background(), p, 10, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for i := 0; i < p.n; i++ {
		for _, j := range approx.rowIdx(i) {
			if int(j) == i {
				t.Fatalf("point %d is its own neighbour", i)
			}
			if containsInt32(exact.rowIdx(i), j) {
				hits++
			}
		}
	}
	recall := float64(hits) / float64(p.n*10)
	t.Logf("NN-descent recall %.4f", recall)
	if recall < 0.95 {
		t.Errorf("NN-descent recall %.4f; want ≥ 0.95", recall)
	}
}

func TestPerplexityCalibration(t *testing.T) {
	x, _ := clusters(200, 5, 2, 2, 6)
	p, _ := toPoints(x, "test")
	nb, _ := exactKNN(context.Background(), p, p, 91, true, 1)
	for _, perp := range []float64{5, 30} {
		cond := perplexityAffinities(nb, perp, 2)
		for i := 0; i < p.n; i++ {
			var h, s float64
			for _, v := range cond[i*nb.k : (i+1)*nb.k] {
				s += v
				if v > 0 {
					h -= v * math.Log(v)
				}
			}
			if math.Abs(s-1) > 1e-9 || math.Abs(math.Exp(h)-perp) > 1e-3*perp {
				t.Fatalf("perplexity %v, point %d: rows sum to %v with perplexity %v", perp, i, s, math.Exp(h))
			}
		}
	}
}

func TestTSNEIsSeededAndDeterministic(t *testing.T) {
	x, _ := clusters(120, 6, 3, 3, 8)
	opt := DefaultTSNEOptions()
	opt.Iterations, opt.Init, opt.Seed = 300, InitRandom, 5
	a, err := RunTSNE(context.Background(), x, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RunTSNE(context.Background(), x, opt)
	if !mat.Equal(a.Embedding, b.Embedding) {
		t.Error("two runs with the same seed differ")
	}
	opt.Seed = 6
	c, _ := RunTSNE(context.Background(), x, opt)
	if mat.Equal(a.Embedding, c.Embedding) {
		t.Error("different seeds gave the same map")
	}
	if a.LearningRate != 50 {
		t.Errorf("auto learning rate for 120 points = %v; want max(120/12/4, 50) = 50", a.LearningRate)
	}
}

func TestUMAPSingleWorkerIsDeterministic(t *testing.T) {
	x, _ := clusters(150, 6, 3, 3, 9)
	opt := DefaultUMAPOptions()
	opt.Workers, opt.Epochs, opt.Seed = 1, 50, 2
	a, err := FitUMAP(context.Background(), x, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitUMAP(context.Background(), x, opt)
	if !mat.Equal(a.Embedding, b.Embedding) {
		t.Error("two single-worker runs with the same seed differ")
	}
}

func TestUMAPNNDescentPathAndSpectralInit(t *testing.T) {
	// one connected blob, neighbours by NN-descent (ExactNeighbors 0)
	x, labels := clusters(600, 10, 3, 2.5, 10)
	opt := DefaultUMAPOptions()
	opt.ExactNeighbors, opt.Epochs, opt.Seed = 0, 200, 1
	u, err := FitUMAP(context.Background(), x, opt)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := Evaluate(x, u.Embedding, labels, 10)
	t.Logf("%+v init %s", q, u.InitUsed)
	if q.Trustworthiness < 0.85 || q.KNNAccuracy < 0.9 {
		t.Errorf("quality %+v", q)
	}
}

func TestUMAPTransformPlacesNewPointsWithTheirCluster(t *testing.T) {
	all, labels := clusters(500, 12, 4, 4, 11)
	train := mat.DenseCopyOf(all.Slice(0, 400, 0, 12))
	test := mat.DenseCopyOf(all.Slice(400, 500, 0, 12))
	opt := DefaultUMAPOptions()
	opt.Seed = 4
	u, err := FitUMAP(context.Background(), train, opt)
	if err != nil {
		t.Fatal(err)
	}
	placed, err := u.Transform(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	// classify each new point by its nearest training point in the map
	correct := 0
	for i := 0; i < 100; i++ {
		best, bd := -1, math.Inf(1)
		for j := 0; j < 400; j++ {
			dx, dy := placed.At(i, 0)-u.Embedding.At(j, 0), placed.At(i, 1)-u.Embedding.At(j, 1)
			if d := dx*dx + dy*dy; d < bd {
				best, bd = j, d
			}
		}
		if labels[best] == labels[400+i] {
			correct++
		}
	}
	if correct < 95 {
		t.Errorf("%d of 100 new points land by their own cluster; want ≥ 95", correct)
	}
	if _, err := u.Transform(context.Background(), mat.NewDense(3, 5, nil)); err == nil || !strings.Contains(err.Error(), "5 columns") {
		t.Errorf("Transform with wrong width: %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	x, _ := clusters(40, 4, 2, 3, 1)
	tsne := func(f func(*TSNEOptions)) error {
		o := DefaultTSNEOptions()
		f(&o)
		_, err := RunTSNE(context.Background(), x, o)
		return err
	}
	umap := func(f func(*UMAPOptions)) error {
		o := DefaultUMAPOptions()
		f(&o)
		_, err := FitUMAP(context.Background(), x, o)
		return err
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{tsne(func(o *TSNEOptions) { o.Perplexity = 40 }), "Perplexity is 40"},
		{tsne(func(o *TSNEOptions) { o.LearningRate = 0 }), "LearningRate is 0"},
		{tsne(func(o *TSNEOptions) { o.Iterations = 100 }), "Iterations is 100"},
		{tsne(func(o *TSNEOptions) { o.Init = "spectral" }), `Init is "spectral"`},
		{tsne(func(o *TSNEOptions) { o.Workers = 0 }), "Workers is 0"},
		{tsne(func(o *TSNEOptions) { o.Theta = -1 }), "Theta"},
		{umap(func(o *UMAPOptions) { o.Neighbors = 40 }), "40 points for 40 neighbours"},
		{umap(func(o *UMAPOptions) { o.MinDist = 2 }), "MinDist is 2"},
		{umap(func(o *UMAPOptions) { o.Epochs = -5 }), "Epochs is -5"},
		{umap(func(o *UMAPOptions) { o.SetOpMixRatio = 2 }), "SetOpMixRatio"},
		{umap(func(o *UMAPOptions) { o.Init = "tsne" }), `Init is "tsne"`},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v; want one containing %q", c.err, c.want)
		}
	}
	// literal zero means zero: no epochs keeps the initial layout
	o := DefaultUMAPOptions()
	o.Epochs = 0
	if u, err := FitUMAP(context.Background(), x, o); err != nil || u.Epochs != 0 {
		t.Errorf("Epochs 0: %v, %v", u, err)
	}
	if _, err := FromRows([][]float32{{1, 2}, {3}}); err == nil || !strings.Contains(err.Error(), "row 1 has 1 values") {
		t.Errorf("FromRows ragged: %v", err)
	}
}

func TestStopsOnCancelAndInterrupt(t *testing.T) {
	x, _ := clusters(300, 8, 3, 3, 12)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunTSNE(ctx, x, DefaultTSNEOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("TSNE with a cancelled context: %v", err)
	}
	if _, err := FitUMAP(ctx, x, DefaultUMAPOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("UMAP with a cancelled context: %v", err)
	}
	// the notebook cell's interrupt, arriving mid-run
	cell, interrupt := context.WithCancel(context.Background())
	restore := ambient.Set(cell)
	defer restore()
	stopAt := func(i, n int, _ map[string]float64) {
		if i == 20 {
			interrupt()
		}
	}
	o := DefaultTSNEOptions()
	o.Progress = stepFunc(stopAt)
	res, err := RunTSNE(context.Background(), x, o)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Errorf("TSNE interrupted at step 20: %v, %v", res, err)
	}
}

type stepFunc func(i, n int, m map[string]float64)

func (f stepFunc) Step(i, n int, m map[string]float64) { f(i, n, m) }
