package embed

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/gossl/gossl/sslkit/ambient"
)

// UMAPOptions configures FitUMAP. The defaults follow umap-learn 0.5.
type UMAPOptions struct {
	Neighbors          int     // size of the local neighbourhood, the point itself included (≥ 2)
	Components         int     // dimensions of the map (≥ 1)
	MinDist            float64 // how tightly points may pack (0 ≤ MinDist ≤ Spread)
	Spread             float64 // scale of the embedded points (> 0)
	Epochs             int     // SGD epochs (0 keeps the initial layout), or Auto: 500 for n ≤ 10,000, else 200
	LearningRate       float64 // initial SGD step (> 0), decaying linearly to 0
	RepulsionStrength  float64 // weight of negative samples (γ)
	NegativeSampleRate int     // negative samples per positive edge sample
	LocalConnectivity  float64 // neighbours assumed connected (≥ 0)
	SetOpMixRatio      float64 // 1 = fuzzy union, 0 = fuzzy intersection
	Init               string  // InitSpectral, InitPCA or InitRandom
	ExactNeighbors     int     // use exact neighbours below this many points (NN-descent above), as umap-learn does below 4096
	Seed               int64
	Workers            int     // goroutines, or Auto (GOMAXPROCS); SGD with Workers > 1 races benignly (Hogwild!) as umap-learn's parallel mode does, so only Workers == 1 repeats exactly
	Progress           Stepper // optional; told each epoch
}

// DefaultUMAPOptions returns umap-learn's defaults: 15 neighbours, 2
// components, min_dist 0.1, spread 1, automatic epochs, learning rate 1,
// 5 negative samples, spectral initialisation.
func DefaultUMAPOptions() UMAPOptions {
	return UMAPOptions{
		Neighbors: 15, Components: 2, MinDist: 0.1, Spread: 1, Epochs: Auto, LearningRate: 1,
		RepulsionStrength: 1, NegativeSampleRate: 5, LocalConnectivity: 1, SetOpMixRatio: 1,
		Init: InitSpectral, ExactNeighbors: 4096, Workers: Auto,
	}
}

func (o UMAPOptions) check(n int) error {
	bad := func(f string, args ...any) error { return fmt.Errorf("embed: UMAP: "+f, args...) }
	switch {
	case o.Neighbors < 2:
		return bad("Neighbors is %d; want ≥ 2", o.Neighbors)
	case n <= o.Neighbors:
		return bad("%d points for %d neighbours; want more points than Neighbors", n, o.Neighbors)
	case o.Components < 1:
		return bad("Components is %d; want ≥ 1", o.Components)
	case n <= o.Components+1:
		return bad("%d points for %d components", n, o.Components)
	case !(o.Spread > 0):
		return bad("Spread is %v; want > 0", o.Spread)
	case !(o.MinDist >= 0 && o.MinDist <= o.Spread):
		return bad("MinDist is %v; want 0 ≤ MinDist ≤ Spread = %v", o.MinDist, o.Spread)
	case o.Epochs < 0 && o.Epochs != Auto:
		return bad("Epochs is %d; want ≥ 0 or Auto", o.Epochs)
	case !(o.LearningRate > 0):
		return bad("LearningRate is %v; want > 0", o.LearningRate)
	case !(o.RepulsionStrength >= 0):
		return bad("RepulsionStrength is %v; want ≥ 0", o.RepulsionStrength)
	case o.NegativeSampleRate < 0:
		return bad("NegativeSampleRate is %d; want ≥ 0", o.NegativeSampleRate)
	case !(o.LocalConnectivity >= 0):
		return bad("LocalConnectivity is %v; want ≥ 0", o.LocalConnectivity)
	case !(o.SetOpMixRatio >= 0 && o.SetOpMixRatio <= 1):
		return bad("SetOpMixRatio is %v; want 0 … 1", o.SetOpMixRatio)
	case o.Init != InitSpectral && o.Init != InitPCA && o.Init != InitRandom:
		return bad("Init is %q; want %q, %q or %q", o.Init, InitSpectral, InitPCA, InitRandom)
	case o.ExactNeighbors < 0:
		return bad("ExactNeighbors is %d; want ≥ 0", o.ExactNeighbors)
	}
	return nil
}

// UMAP is a fitted UMAP model.
type UMAP struct {
	Embedding *mat.Dense // n×Components
	A, B      float64    // the fitted curve 1/(1 + a·d^(2b))
	Epochs    int        // epochs run
	InitUsed  string     // the initialisation that ran ("spectral", "spectral (k components)", "pca" or "random")

	opt   UMAPOptions
	train points
	emb   []float32
}

// FitUMAP embeds the rows of x by UMAP: neighbours (exact below
// ExactNeighbors points, NN-descent above), the fuzzy simplicial set
// from smooth-kNN distances, a spectral initialisation (per connected
// component, the components placed apart, as umap-learn does), and SGD
// on the cross-entropy with negative sampling.
func FitUMAP(ctx context.Context, x mat.Matrix, opt UMAPOptions) (*UMAP, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	pts, err := toPoints(x, "UMAP")
	if err != nil {
		return nil, err
	}
	if err := opt.check(pts.n); err != nil {
		return nil, err
	}
	workers, err := resolveWorkers(opt.Workers, "UMAP")
	if err != nil {
		return nil, err
	}
	n := pts.n
	epochs := opt.Epochs
	if epochs == Auto {
		epochs = 200
		if n <= 10000 {
			epochs = 500
		}
	}
	a, b, err := FitAB(opt.Spread, opt.MinDist)
	if err != nil {
		return nil, err
	}
	k := opt.Neighbors
	var nb neighbors
	if n < opt.ExactNeighbors {
		nb, err = exactKNN(ctx, pts, pts, k-1, true, workers)
	} else {
		nb, err = nnDescent(ctx, pts, k-1, opt.Seed, workers)
	}
	if err != nil {
		return nil, err
	}
	// distances with the point itself first, as umap-learn's kNN has
	dist := make([]float64, n*k)
	idx := make([]int32, n*k)
	for i := 0; i < n; i++ {
		idx[i*k] = int32(i)
		for t := 0; t < k-1; t++ {
			idx[i*k+1+t] = nb.idx[i*(k-1)+t]
			dist[i*k+1+t] = math.Sqrt(float64(nb.dist[i*(k-1)+t]))
		}
	}
	sigma, rho := smoothKNN(dist, n, k, opt.LocalConnectivity, workers)
	g := fuzzyUnion(n, k, idx, dist, sigma, rho, opt.SetOpMixRatio)

	u := &UMAP{A: a, B: b, Epochs: epochs, opt: opt, train: pts}
	rng := rand.New(rand.NewSource(opt.Seed))
	init, how, err := umapInit(ctx, pts, g, opt, rng)
	if err != nil {
		return nil, err
	}
	u.InitUsed = how
	dim := opt.Components
	// umap-learn: expand to max |·| = 10, add noise, rescale each axis to [0, 10]
	emb := make([]float32, n*dim)
	if how != InitRandom {
		var big float64
		for _, v := range init {
			big = math.Max(big, math.Abs(v))
		}
		if big == 0 {
			big = 1
		}
		for i, v := range init {
			init[i] = v*10/big + 1e-4*rng.NormFloat64()
		}
	}
	for c := 0; c < dim; c++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			lo, hi = math.Min(lo, init[i*dim+c]), math.Max(hi, init[i*dim+c])
		}
		span := hi - lo
		if span == 0 {
			span = 1
		}
		for i := 0; i < n; i++ {
			emb[i*dim+c] = float32(10 * (init[i*dim+c] - lo) / span)
		}
	}
	// drop weak edges that would not be sampled in any epoch
	if epochs > 0 {
		g.prune(epochs)
		err = optimizeLayout(ctx, emb, emb, g, n, dim, epochs, a, b, opt, opt.LearningRate, true, workers)
		if err != nil {
			return nil, err
		}
	}
	u.emb = emb
	u.Embedding = denseOf(n, dim, emb)
	return u, nil
}

// smoothKNN finds, for each point, ρ (distance to its LocalConnectivity-th
// nearest neighbour) and σ such that Σⱼ exp(−max(0, dⱼ−ρ)/σ) = log₂(k)
// over its neighbours but the first, by bisection (umap-learn's
// smooth_knn_dist: 64 steps, tolerance 1e-5, σ ≥ 1e-3 × mean distance).
func smoothKNN(dist []float64, n, k int, localConnectivity float64, workers int) (sigma, rho []float64) {
	sigma, rho = make([]float64, n), make([]float64, n)
	target := math.Log2(float64(k))
	var meanAll float64
	for _, d := range dist {
		meanAll += d
	}
	meanAll /= float64(len(dist))
	parallelFor(workers, n, 256, func(lo, hi int) {
		nonZero := make([]float64, 0, k)
		for i := lo; i < hi; i++ {
			d := dist[i*k : (i+1)*k]
			nonZero = nonZero[:0]
			for _, v := range d {
				if v > 0 {
					nonZero = append(nonZero, v)
				}
			}
			if float64(len(nonZero)) >= localConnectivity {
				index := int(math.Floor(localConnectivity))
				interp := localConnectivity - float64(index)
				if index > 0 {
					rho[i] = nonZero[index-1]
					if interp > 1e-5 {
						rho[i] += interp * (nonZero[index] - nonZero[index-1])
					}
				} else {
					rho[i] = interp * nonZero[0]
				}
			} else if len(nonZero) > 0 {
				rho[i] = nonZero[len(nonZero)-1]
			}
			lo, hi, mid := 0.0, math.Inf(1), 1.0
			for step := 0; step < 64; step++ {
				var psum float64
				for _, v := range d[1:] {
					if e := v - rho[i]; e > 0 {
						psum += math.Exp(-e / mid)
					} else {
						psum++
					}
				}
				if math.Abs(psum-target) < 1e-5 {
					break
				}
				if psum > target {
					hi = mid
					mid = (lo + hi) / 2
				} else {
					lo = mid
					if math.IsInf(hi, 1) {
						mid *= 2
					} else {
						mid = (lo + hi) / 2
					}
				}
			}
			sigma[i] = mid
			if rho[i] > 0 {
				var mean float64
				for _, v := range d {
					mean += v
				}
				mean /= float64(k)
				sigma[i] = math.Max(sigma[i], 1e-3*mean)
			} else {
				sigma[i] = math.Max(sigma[i], 1e-3*meanAll)
			}
		}
	})
	return sigma, rho
}

// graph is the symmetric fuzzy simplicial set as a list of edges, both
// directions present, sorted by head then tail.
type graph struct {
	head, tail []int32
	w          []float64
	rowPtr     []int // edges of head i: [rowPtr[i], rowPtr[i+1])
}

func membership(d, sigma, rho float64) float64 {
	if d-rho <= 0 || sigma == 0 {
		return 1
	}
	return math.Exp(-(d - rho) / sigma)
}

// fuzzyUnion builds P (membership strengths of each point's neighbours)
// and combines it with its transpose: mix·(P + Pᵀ − P∘Pᵀ) + (1−mix)·P∘Pᵀ.
func fuzzyUnion(n, k int, idx []int32, dist, sigma, rho []float64, mix float64) *graph {
	type entry struct {
		col       int32
		fwd, back float64
	}
	rows := make([][]entry, n)
	for i := 0; i < n; i++ {
		for t := 0; t < k; t++ {
			j := idx[i*k+t]
			if int(j) == i {
				continue
			}
			v := membership(dist[i*k+t], sigma[i], rho[i])
			if v == 0 {
				continue
			}
			rows[i] = append(rows[i], entry{col: j, fwd: v})
			rows[j] = append(rows[j], entry{col: int32(i), back: v})
		}
	}
	g := &graph{rowPtr: make([]int, n+1)}
	for i, r := range rows {
		sort.Slice(r, func(a, b int) bool { return r[a].col < r[b].col })
		for t := 0; t < len(r); {
			c := r[t].col
			var f, b float64
			for ; t < len(r) && r[t].col == c; t++ {
				f += r[t].fwd
				b += r[t].back
			}
			prod := f * b
			v := mix*(f+b-prod) + (1-mix)*prod
			if v > 0 {
				g.head = append(g.head, int32(i))
				g.tail = append(g.tail, c)
				g.w = append(g.w, v)
			}
		}
		g.rowPtr[i+1] = len(g.head)
		rows[i] = nil
	}
	return g
}

// prune drops edges weaker than max/epochs, as umap-learn does before
// the layout (they would never be sampled).
func (g *graph) prune(epochs int) {
	var top float64
	for _, w := range g.w {
		top = math.Max(top, w)
	}
	cut := top / float64(epochs)
	out := 0
	n := len(g.rowPtr) - 1
	newPtr := make([]int, n+1)
	for i := 0; i < n; i++ {
		for e := g.rowPtr[i]; e < g.rowPtr[i+1]; e++ {
			if g.w[e] >= cut {
				g.head[out], g.tail[out], g.w[out] = g.head[e], g.tail[e], g.w[e]
				out++
			}
		}
		newPtr[i+1] = out
	}
	g.head, g.tail, g.w, g.rowPtr = g.head[:out], g.tail[:out], g.w[:out], newPtr
}

// FitAB fits a and b of the map's similarity curve 1/(1 + a·d^(2b)) to the
// target curve (1 below minDist, exp(−(d−minDist)/spread) above) on 300
// points of [0, 3·spread] by least squares (Levenberg–Marquardt), as
// umap-learn's find_ab_params does with scipy's curve_fit.
func FitAB(spread, minDist float64) (a, b float64, err error) {
	if !(spread > 0) || !(minDist >= 0) {
		return 0, 0, fmt.Errorf("embed: FitAB: spread %v and minDist %v; want spread > 0, minDist ≥ 0", spread, minDist)
	}
	const m = 300
	xs, ys := make([]float64, m), make([]float64, m)
	for i := range xs {
		xs[i] = 3 * spread * float64(i) / (m - 1)
		if xs[i] < minDist {
			ys[i] = 1
		} else {
			ys[i] = math.Exp(-(xs[i] - minDist) / spread)
		}
	}
	cost := func(a, b float64) float64 {
		var s float64
		for i, x := range xs {
			r := 1/(1+a*math.Pow(x, 2*b)) - ys[i]
			s += r * r
		}
		return s
	}
	a, b = 1, 1
	lambda := 1e-3
	c := cost(a, b)
	for it := 0; it < 500; it++ {
		// normal equations of the Gauss–Newton step, damped
		var jaa, jab, jbb, ga, gb float64
		for i, x := range xs {
			if x == 0 {
				continue
			}
			p := math.Pow(x, 2*b)
			den := 1 + a*p
			f := 1 / den
			r := f - ys[i]
			da := -p / (den * den)
			db := -a * p * 2 * math.Log(x) / (den * den)
			jaa += da * da
			jab += da * db
			jbb += db * db
			ga += da * r
			gb += db * r
		}
		improved := false
		for tries := 0; tries < 30; tries++ {
			maa, mbb := jaa*(1+lambda), jbb*(1+lambda)
			det := maa*mbb - jab*jab
			if det == 0 {
				lambda *= 10
				continue
			}
			stepA := -(mbb*ga - jab*gb) / det
			stepB := -(maa*gb - jab*ga) / det
			na, nb := a+stepA, b+stepB
			if nc := cost(na, nb); nc < c && !math.IsNaN(nc) {
				converged := math.Abs(c-nc) <= 1e-14*(1+c) || (math.Abs(stepA) < 1e-12 && math.Abs(stepB) < 1e-12)
				a, b, c = na, nb, nc
				lambda /= 10
				improved = true
				if converged {
					return a, b, nil
				}
				break
			}
			lambda *= 10
		}
		if !improved {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return 0, 0, fmt.Errorf("embed: FitAB: fit failed for spread %v, minDist %v", spread, minDist)
	}
	return a, b, nil
}

// xorshift is a small per-worker generator for negative sampling.
type xorshift uint64

func (s *xorshift) next() uint64 {
	x := uint64(*s)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*s = xorshift(x)
	return x
}

// optimizeLayout runs umap-learn's optimize_layout_euclidean: each edge is
// sampled in proportion to its weight, pulling head and tail together;
// each sample brings NegativeSampleRate random points that push the head
// away. head is moved; tail (the same array when moveOther) too.
func optimizeLayout(ctx context.Context, head, tail []float32, g *graph, nTail, dim, epochs int, a, b float64, opt UMAPOptions, alpha0 float64, moveOther bool, workers int) error {
	nE := len(g.w)
	if nE == 0 {
		return nil
	}
	var top float64
	for _, w := range g.w {
		top = math.Max(top, w)
	}
	eps := make([]float64, nE) // epochs per sample
	for e, w := range g.w {
		ns := float64(epochs) * w / top
		if ns > 0 {
			eps[e] = float64(epochs) / ns
		} else {
			eps[e] = -1
		}
	}
	negRate := float64(opt.NegativeSampleRate)
	nextSample := append([]float64(nil), eps...)
	nextNeg := make([]float64, nE)
	for e := range eps {
		if negRate > 0 {
			nextNeg[e] = eps[e] / negRate
		}
	}
	A, B := float32(a), float32(b)
	gamma := float32(opt.RepulsionStrength)
	rngs := make([]xorshift, workers)
	for w := range rngs {
		rngs[w] = xorshift(uint64(opt.Seed)*0x9E3779B97F4A7C15 + uint64(w)*0xBF58476D1CE4E5B9 + 0x94D049BB133111EB)
		rngs[w].next()
	}
	clip := func(v float32) float32 {
		if v > 4 {
			return 4
		}
		if v < -4 {
			return -4
		}
		return v
	}
	chunk := (nE + workers - 1) / workers
	for ep := 0; ep < epochs; ep++ {
		if err := ambient.Err(ctx); err != nil {
			return err
		}
		alpha := float32(alpha0 * (1 - float64(ep)/float64(epochs)))
		fe := float64(ep)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			lo, hi := w*chunk, min((w+1)*chunk, nE)
			if lo >= hi {
				continue
			}
			wg.Add(1)
			go func(w, lo, hi int) {
				defer wg.Done()
				rng := &rngs[w]
				for e := lo; e < hi; e++ {
					if nextSample[e] > fe || eps[e] < 0 {
						continue
					}
					j, k := int(g.head[e]), int(g.tail[e])
					cur := head[j*dim : (j+1)*dim]
					oth := tail[k*dim : (k+1)*dim]
					var d2 float32
					for c := range cur {
						t := cur[c] - oth[c]
						d2 += t * t
					}
					var coef float32
					if d2 > 0 {
						pb := float32(fastPow(float64(d2), float64(B)))
						coef = -2 * A * B * pb / d2 / (A*pb + 1)
					}
					for c := range cur {
						gd := clip(coef * (cur[c] - oth[c]))
						cur[c] += gd * alpha
						if moveOther {
							oth[c] -= gd * alpha
						}
					}
					nextSample[e] += eps[e]
					if negRate == 0 {
						continue
					}
					epn := eps[e] / negRate
					nNeg := int((fe - nextNeg[e]) / epn)
					for s := 0; s < nNeg; s++ {
						kk := int(rng.next() % uint64(nTail))
						oth := tail[kk*dim : (kk+1)*dim]
						var d2 float32
						for c := range cur {
							t := cur[c] - oth[c]
							d2 += t * t
						}
						var coef float32
						if d2 > 0 {
							pb := float32(fastPow(float64(d2), float64(B)))
							coef = 2 * gamma * B / ((0.001 + d2) * (A*pb + 1))
						} else if j == kk {
							continue
						}
						for c := range cur {
							gd := float32(4)
							if coef > 0 {
								gd = clip(coef * (cur[c] - oth[c]))
							}
							cur[c] += gd * alpha
						}
					}
					nextNeg[e] += float64(nNeg) * epn
				}
			}(w, lo, hi)
		}
		wg.Wait()
		if opt.Progress != nil {
			opt.Progress.Step(ep+1, epochs, nil)
		}
	}
	return nil
}
