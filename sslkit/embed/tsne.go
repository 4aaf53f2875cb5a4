package embed

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/gossl/gossl/sslkit/ambient"
)

// t-SNE initialisations.
const (
	InitPCA      = "pca"      // first two principal components, scaled (t-SNE: to std 1e-4)
	InitRandom   = "random"   // Gaussian noise
	InitSpectral = "spectral" // UMAP only: eigenvectors of the graph's normalised Laplacian
)

// TSNEOptions configures TSNE. The defaults follow scikit-learn 1.2's
// Barnes–Hut TSNE.
type TSNEOptions struct {
	Perplexity          float64 // effective number of neighbours (< n); 3·Perplexity nearest neighbours are used
	EarlyExaggeration   float64 // factor on P during the first ExaggerationIters (≥ 1)
	ExaggerationIters   int     // iterations with exaggeration and Momentum
	Iterations          int     // total iterations, ≥ ExaggerationIters
	LearningRate        float64 // > 0, or Auto: max(n/EarlyExaggeration/4, 50)
	Momentum            float64 // during exaggeration
	FinalMomentum       float64 // afterwards
	MinGain             float64 // floor of the per-coordinate gains
	Theta               float64 // Barnes–Hut accuracy (0 is exact and O(n²))
	MinGradNorm         float64 // stop when the gradient norm falls below
	IterWithoutProgress int     // stop after this many iterations without a lower KL (checked every 50)
	Init                string  // InitPCA or InitRandom
	Seed                int64
	Workers             int     // goroutines, or Auto (GOMAXPROCS)
	Progress            Stepper // optional; told each iteration (KL every 50)
}

// DefaultTSNEOptions returns scikit-learn's defaults: perplexity 30,
// exaggeration 12 for 250 iterations, 1000 iterations, automatic learning
// rate, momentum 0.5 then 0.8, theta 0.5, PCA initialisation.
func DefaultTSNEOptions() TSNEOptions {
	return TSNEOptions{
		Perplexity: 30, EarlyExaggeration: 12, ExaggerationIters: 250, Iterations: 1000,
		LearningRate: Auto, Momentum: 0.5, FinalMomentum: 0.8, MinGain: 0.01, Theta: 0.5,
		MinGradNorm: 1e-7, IterWithoutProgress: 300, Init: InitPCA, Workers: Auto,
	}
}

// TSNE is the result of a t-SNE run. t-SNE has no Transform: its map is
// defined only for the points it was fitted on.
type TSNE struct {
	Embedding    *mat.Dense // n×2
	KL           float64    // Kullback–Leibler divergence at the end (Barnes–Hut estimate)
	Iterations   int        // iterations run
	LearningRate float64    // the rate used
}

func (o TSNEOptions) check(n int) error {
	bad := func(f string, args ...any) error { return fmt.Errorf("embed: TSNE: "+f, args...) }
	switch {
	case n < 3:
		return bad("need at least 3 points, have %d", n)
	case !(o.Perplexity > 0) || o.Perplexity >= float64(n):
		return bad("Perplexity is %v; want 0 < Perplexity < n = %d", o.Perplexity, n)
	case !(o.EarlyExaggeration >= 1):
		return bad("EarlyExaggeration is %v; want ≥ 1", o.EarlyExaggeration)
	case o.ExaggerationIters < 0:
		return bad("ExaggerationIters is %d; want ≥ 0", o.ExaggerationIters)
	case o.Iterations < o.ExaggerationIters:
		return bad("Iterations is %d; want ≥ ExaggerationIters = %d", o.Iterations, o.ExaggerationIters)
	case o.LearningRate != Auto && !(o.LearningRate > 0):
		return bad("LearningRate is %v; want > 0 or Auto", o.LearningRate)
	case !(o.Momentum >= 0 && o.Momentum < 1), !(o.FinalMomentum >= 0 && o.FinalMomentum < 1):
		return bad("Momentum %v and FinalMomentum %v must lie in [0, 1)", o.Momentum, o.FinalMomentum)
	case !(o.MinGain >= 0):
		return bad("MinGain is %v; want ≥ 0", o.MinGain)
	case !(o.Theta >= 0):
		return bad("Theta is %v; want ≥ 0", o.Theta)
	case !(o.MinGradNorm >= 0):
		return bad("MinGradNorm is %v; want ≥ 0", o.MinGradNorm)
	case o.IterWithoutProgress < 0:
		return bad("IterWithoutProgress is %d; want ≥ 0", o.IterWithoutProgress)
	case o.Init != InitPCA && o.Init != InitRandom:
		return bad("Init is %q; want %q or %q", o.Init, InitPCA, InitRandom)
	}
	return nil
}

// RunTSNE embeds the rows of x in two dimensions by Barnes–Hut t-SNE:
// perplexity-calibrated affinities on the exact 3·perplexity nearest
// neighbours, symmetrised; gradient descent with early exaggeration,
// momentum and per-coordinate gains as in van der Maaten's implementation.
func RunTSNE(ctx context.Context, x mat.Matrix, opt TSNEOptions) (*TSNE, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	pts, err := toPoints(x, "TSNE")
	if err != nil {
		return nil, err
	}
	if err := opt.check(pts.n); err != nil {
		return nil, err
	}
	workers, err := resolveWorkers(opt.Workers, "TSNE")
	if err != nil {
		return nil, err
	}
	n := pts.n
	k := min(n-1, int(3*opt.Perplexity+1))
	nb, err := exactKNN(ctx, pts, pts, k, true, workers)
	if err != nil {
		return nil, err
	}
	condP := perplexityAffinities(nb, opt.Perplexity, workers)
	P := symmetrize(n, nb, condP)

	// initial layout
	y := make([]float64, 2*n)
	if opt.Init == InitPCA {
		pca, err := FitPCA(ctx, x, PCAOptions{Components: 2, Solver: PCARandomized, Oversample: 10, PowerIters: 4, Seed: opt.Seed})
		if err != nil {
			return nil, err
		}
		proj, _ := pca.Transform(x)
		col := mat.Col(nil, 0, proj)
		var mean, sd float64
		for _, v := range col {
			mean += v
		}
		mean /= float64(n)
		for _, v := range col {
			sd += (v - mean) * (v - mean)
		}
		sd = math.Sqrt(sd / float64(n))
		if sd == 0 {
			sd = 1
		}
		for i := 0; i < n; i++ {
			y[2*i] = proj.At(i, 0) / sd * 1e-4
			y[2*i+1] = proj.At(i, 1) / sd * 1e-4
		}
	} else {
		rng := rand.New(rand.NewSource(opt.Seed))
		for i := range y {
			y[i] = 1e-4 * rng.NormFloat64()
		}
	}

	lr := opt.LearningRate
	if lr == Auto {
		lr = math.Max(float64(n)/opt.EarlyExaggeration/4, 50)
	}
	g := &tsneGrad{P: P, y: y, workers: workers, theta2: opt.Theta * opt.Theta,
		grad: make([]float64, 2*n), rowErr: make([]float64, n)}
	res := &TSNE{LearningRate: lr}

	// stage 1: exaggerated P, momentum; stage 2: true P, final momentum
	scale(P.val, opt.EarlyExaggeration)
	it, kl, err := g.descend(ctx, opt, 0, opt.ExaggerationIters, opt.ExaggerationIters, opt.Momentum, lr)
	scale(P.val, 1/opt.EarlyExaggeration)
	if err == nil && (it < opt.ExaggerationIters || opt.Iterations > opt.ExaggerationIters) {
		start := it
		if opt.ExaggerationIters > 0 {
			start = it + 1
		}
		it, kl, err = g.descend(ctx, opt, start, opt.Iterations, opt.IterWithoutProgress, opt.FinalMomentum, lr)
	}
	if err != nil {
		return nil, err
	}
	res.Embedding = denseOf64(n, y)
	res.KL, res.Iterations = kl, it+1
	if opt.Progress != nil {
		opt.Progress.Step(opt.Iterations, opt.Iterations, map[string]float64{"kl": kl})
	}
	return res, nil
}

func scale(v []float64, f float64) {
	for i := range v {
		v[i] *= f
	}
}

func denseOf64(n int, y []float64) *mat.Dense {
	return mat.NewDense(n, len(y)/n, append([]float64(nil), y...))
}

// csr is a sparse n×n matrix in compressed rows.
type csr struct {
	ptr []int
	col []int32
	val []float64
}

// perplexityAffinities calibrates, for each point, the Gaussian precision
// β so that the entropy of p(j|i) over its neighbours equals
// log(perplexity), by bisection (scikit-learn's _binary_search_perplexity:
// 100 steps, tolerance 1e-5).
func perplexityAffinities(nb neighbors, perplexity float64, workers int) []float64 {
	out := make([]float64, nb.n*nb.k)
	want := math.Log(perplexity)
	parallelFor(workers, nb.n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := nb.rowDist(i)
			p := out[i*nb.k : (i+1)*nb.k]
			beta, betaMin, betaMax := 1.0, math.Inf(-1), math.Inf(1)
			for step := 0; step < 100; step++ {
				var sum float64
				for j, dj := range d {
					p[j] = math.Exp(-float64(dj) * beta)
					sum += p[j]
				}
				if sum == 0 {
					sum = 1e-8
				}
				var sumDP float64
				for j, dj := range d {
					p[j] /= sum
					sumDP += float64(dj) * p[j]
				}
				diff := math.Log(sum) + beta*sumDP - want
				if math.Abs(diff) <= 1e-5 {
					break
				}
				if diff > 0 {
					betaMin = beta
					if math.IsInf(betaMax, 1) {
						beta *= 2
					} else {
						beta = (beta + betaMax) / 2
					}
				} else {
					betaMax = beta
					if math.IsInf(betaMin, -1) {
						beta /= 2
					} else {
						beta = (beta + betaMin) / 2
					}
				}
			}
		}
	})
	return out
}

// symmetrize returns (P + Pᵀ) / sum, with P the conditional affinities on
// the kNN graph.
func symmetrize(n int, nb neighbors, condP []float64) csr {
	type entry struct {
		col int32
		val float64
	}
	rows := make([][]entry, n)
	for i := 0; i < n; i++ {
		for t, j := range nb.rowIdx(i) {
			v := condP[i*nb.k+t]
			rows[i] = append(rows[i], entry{j, v})
			rows[j] = append(rows[j], entry{int32(i), v})
		}
	}
	m := csr{ptr: make([]int, n+1)}
	var total float64
	for i, r := range rows {
		sort.Slice(r, func(a, b int) bool { return r[a].col < r[b].col })
		for t := 0; t < len(r); {
			c, v := r[t].col, 0.0
			for ; t < len(r) && r[t].col == c; t++ {
				v += r[t].val
			}
			m.col = append(m.col, c)
			m.val = append(m.val, v)
			total += v
		}
		m.ptr[i+1] = len(m.col)
		rows[i] = nil
	}
	if total < 1e-300 {
		total = 1e-300
	}
	scale(m.val, 1/total)
	return m
}

// tsneGrad holds the state of the gradient descent.
type tsneGrad struct {
	P       csr
	y       []float64
	grad    []float64
	rowErr  []float64
	workers int
	theta2  float64
	tree    quadTree
}

// gradient computes the Barnes–Hut gradient of KL(P‖Q) into g.grad and,
// when withError, the KL estimate.
func (g *tsneGrad) gradient(withError bool) float64 {
	n := len(g.y) / 2
	g.tree.build(g.y)
	// repulsion first: it gives the normaliser Z = Σ q
	neg := g.grad
	chunk := 128
	nChunks := (n + chunk - 1) / chunk
	sums := make([]float64, nChunks)
	parallelFor(g.workers, nChunks, 1, func(lo, hi int) {
		var stack []int32
		for c := lo; c < hi; c++ {
			var s float64
			// in the tree's leaf order, so consecutive queries walk the
			// same cells (cache locality)
			for pos := c * chunk; pos < min((c+1)*chunk, n); pos++ {
				i := int(g.tree.perm[pos])
				var fx, fy, q float64
				fx, fy, q, stack = g.tree.repulsion(i, g.theta2, stack)
				neg[2*i], neg[2*i+1] = fx, fy
				s += q
			}
			sums[c] = s
		}
	})
	var sumQ float64
	for _, s := range sums {
		sumQ += s
	}
	const tiny = 1.1754943508222875e-38 // float32's smallest normal, as scikit-learn clamps
	parallelFor(g.workers, n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi, yi := g.y[2*i], g.y[2*i+1]
			var fx, fy, e float64
			for t := g.P.ptr[i]; t < g.P.ptr[i+1]; t++ {
				j := g.P.col[t]
				p := g.P.val[t]
				dx, dy := xi-g.y[2*j], yi-g.y[2*j+1]
				q := 1 / (1 + dx*dx + dy*dy)
				pq := p * q
				fx += pq * dx
				fy += pq * dy
				if withError {
					e += p * math.Log(math.Max(p, tiny)/math.Max(q/sumQ, tiny))
				}
			}
			g.grad[2*i] = 4 * (fx - neg[2*i]/sumQ)
			g.grad[2*i+1] = 4 * (fy - neg[2*i+1]/sumQ)
			g.rowErr[i] = e
		}
	})
	var kl float64
	for _, e := range g.rowErr {
		kl += e
	}
	return kl
}

// descend runs iterations [start, end) of gradient descent with momentum
// and gains (fresh for each stage, as scikit-learn does), checking for
// progress every 50 iterations. It returns the last iteration run.
func (g *tsneGrad) descend(ctx context.Context, opt TSNEOptions, start, end, patience int, momentum, lr float64) (int, float64, error) {
	const check = 50
	update := make([]float64, len(g.y))
	gains := make([]float64, len(g.y))
	for i := range gains {
		gains[i] = 1
	}
	bestErr, bestIter := math.MaxFloat64, start
	kl := math.NaN()
	it := start
	for i := start; i < end; i++ {
		it = i
		if err := ambient.Err(ctx); err != nil {
			return it, kl, err
		}
		checkNow := (i+1)%check == 0
		e := g.gradient(checkNow || i == end-1)
		if checkNow || i == end-1 {
			kl = e
		}
		var norm float64
		for c, gr := range g.grad {
			if update[c]*gr < 0 {
				gains[c] += 0.2
			} else {
				gains[c] *= 0.8
			}
			if gains[c] < opt.MinGain {
				gains[c] = opt.MinGain
			}
			gr *= gains[c]
			norm += gr * gr
			update[c] = momentum*update[c] - lr*gr
			g.y[c] += update[c]
		}
		if opt.Progress != nil {
			var m map[string]float64
			if checkNow {
				m = map[string]float64{"kl": kl}
			}
			opt.Progress.Step(i+1, opt.Iterations, m)
		}
		if checkNow {
			if kl < bestErr {
				bestErr, bestIter = kl, i
			} else if i-bestIter > patience {
				break
			}
			if math.Sqrt(norm) <= opt.MinGradNorm {
				break
			}
		}
	}
	return it, kl, nil
}
