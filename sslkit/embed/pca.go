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

// PCA solvers.
const (
	PCAAuto       = "auto"       // exact when d ≤ 512 or Components ≥ 0.8·min(n, d), else randomized
	PCAExact      = "exact"      // eigendecomposition of the d×d covariance
	PCARandomized = "randomized" // Halko–Martinsson–Tropp randomized SVD
)

// PCAOptions configures FitPCA.
type PCAOptions struct {
	Components int    // dimensions kept (≥ 1, ≤ min(n, d))
	Solver     string // PCAAuto, PCAExact or PCARandomized
	Oversample int    // extra random directions of the randomized solver
	PowerIters int    // power iterations of the randomized solver
	Seed       int64  // random directions of the randomized solver
}

// DefaultPCAOptions returns 2 components, the automatic solver, and the
// randomized solver's usual 10 extra directions and 4 power iterations.
func DefaultPCAOptions() PCAOptions {
	return PCAOptions{Components: 2, Solver: PCAAuto, Oversample: 10, PowerIters: 4}
}

// PCA is a fitted principal component analysis.
type PCA struct {
	Mean                   []float64  // per input column
	Components             *mat.Dense // Components × d, unit rows, by decreasing variance
	ExplainedVariance      []float64  // variance along each component (n−1 denominator)
	ExplainedVarianceRatio []float64  // its share of the total variance
	Solver                 string     // the solver that ran
}

// FitPCA fits principal components to the rows of x.
func FitPCA(ctx context.Context, x mat.Matrix, opt PCAOptions) (*PCA, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	if x == nil {
		return nil, fmt.Errorf("embed: PCA: nil matrix")
	}
	if d, ok := x.(*mat.Dense); ok && d.IsEmpty() {
		return nil, fmt.Errorf("embed: PCA: empty matrix")
	}
	n, d := x.Dims()
	k := opt.Components
	switch {
	case n < 2 || d < 1:
		return nil, fmt.Errorf("embed: PCA: need at least 2 rows and 1 column, have %d×%d", n, d)
	case k < 1 || k > min(n, d):
		return nil, fmt.Errorf("embed: PCA: Components is %d; want 1 … min(n, d) = %d", k, min(n, d))
	case opt.Oversample < 0:
		return nil, fmt.Errorf("embed: PCA: Oversample is %d; want ≥ 0", opt.Oversample)
	case opt.PowerIters < 0:
		return nil, fmt.Errorf("embed: PCA: PowerIters is %d; want ≥ 0", opt.PowerIters)
	}
	solver := opt.Solver
	switch solver {
	case PCAAuto:
		solver = PCARandomized
		if d <= 512 || float64(k) >= 0.8*float64(min(n, d)) {
			solver = PCAExact
		}
	case PCAExact, PCARandomized:
	default:
		return nil, fmt.Errorf("embed: PCA: Solver is %q; want %q, %q or %q", opt.Solver, PCAAuto, PCAExact, PCARandomized)
	}
	// centre
	xc := mat.NewDense(n, d, nil)
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := x.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("embed: PCA: row %d column %d is %v; values must be finite", i, j, v)
			}
			xc.Set(i, j, v)
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	var total float64
	for i := 0; i < n; i++ {
		row := xc.RawRowView(i)
		for j := range row {
			row[j] -= mean[j]
			total += row[j] * row[j]
		}
	}
	total /= float64(n - 1)
	if err := ambient.Err(ctx); err != nil {
		return nil, err
	}
	p := &PCA{Mean: mean, Solver: solver}
	var vecs *mat.Dense // d × k
	var vars []float64
	if solver == PCAExact {
		var cov mat.SymDense
		cov.SymOuterK(1/float64(n-1), xc.T())
		var eig mat.EigenSym
		if !eig.Factorize(&cov, true) {
			return nil, fmt.Errorf("embed: PCA: eigendecomposition did not converge")
		}
		vals := eig.Values(nil)
		var ev mat.Dense
		eig.VectorsTo(&ev)
		order := make([]int, d)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
		vecs = mat.NewDense(d, k, nil)
		vars = make([]float64, k)
		for c := 0; c < k; c++ {
			vars[c] = math.Max(vals[order[c]], 0)
			for j := 0; j < d; j++ {
				vecs.Set(j, c, ev.At(j, order[c]))
			}
		}
	} else {
		var err error
		vecs, vars, err = randomizedSVD(ctx, xc, k, opt)
		if err != nil {
			return nil, err
		}
	}
	// sign convention: the largest loading of each component is positive
	p.Components = mat.NewDense(k, d, nil)
	for c := 0; c < k; c++ {
		big, sign := 0.0, 1.0
		for j := 0; j < d; j++ {
			if v := vecs.At(j, c); math.Abs(v) > big {
				big, sign = math.Abs(v), math.Copysign(1, v)
			}
		}
		for j := 0; j < d; j++ {
			p.Components.Set(c, j, sign*vecs.At(j, c))
		}
	}
	p.ExplainedVariance = vars
	p.ExplainedVarianceRatio = make([]float64, k)
	for c := range vars {
		if total > 0 {
			p.ExplainedVarianceRatio[c] = vars[c] / total
		}
	}
	return p, nil
}

// randomizedSVD returns the top k right singular vectors (d×k) of the
// centred xc and the variances they explain.
func randomizedSVD(ctx context.Context, xc *mat.Dense, k int, opt PCAOptions) (*mat.Dense, []float64, error) {
	n, d := xc.Dims()
	l := min(k+opt.Oversample, min(n, d))
	rng := rand.New(rand.NewSource(opt.Seed))
	omega := mat.NewDense(d, l, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < l; j++ {
			omega.Set(i, j, rng.NormFloat64())
		}
	}
	var y mat.Dense
	y.Mul(xc, omega) // n×l
	q := orthonormal(&y)
	for it := 0; it < opt.PowerIters; it++ {
		if err := ambient.Err(ctx); err != nil {
			return nil, nil, err
		}
		var z mat.Dense
		z.Mul(xc.T(), q) // d×l
		zq := orthonormal(&z)
		y.Reset()
		y.Mul(xc, zq)
		q = orthonormal(&y)
	}
	var b mat.Dense
	b.Mul(q.T(), xc) // l×d
	var svd mat.SVD
	if !svd.Factorize(&b, mat.SVDThin) {
		return nil, nil, fmt.Errorf("embed: PCA: SVD did not converge")
	}
	s := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v) // d×l
	vecs := mat.DenseCopyOf(v.Slice(0, d, 0, k))
	vars := make([]float64, k)
	for c := range vars {
		vars[c] = s[c] * s[c] / float64(n-1)
	}
	return vecs, vars, nil
}

// orthonormal returns an orthonormal basis of a's columns by modified
// Gram–Schmidt, run twice for stability (a full QR would build an n×n Q).
func orthonormal(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	cols := make([][]float64, c)
	for j := range cols {
		cols[j] = mat.Col(nil, j, a)
	}
	for pass := 0; pass < 2; pass++ {
		for j := 0; j < c; j++ {
			for p := 0; p < j; p++ {
				var dot float64
				for i := range cols[j] {
					dot += cols[j][i] * cols[p][i]
				}
				for i := range cols[j] {
					cols[j][i] -= dot * cols[p][i]
				}
			}
			var norm float64
			for _, v := range cols[j] {
				norm += v * v
			}
			norm = math.Sqrt(norm)
			if norm > 0 {
				for i := range cols[j] {
					cols[j][i] /= norm
				}
			}
		}
	}
	q := mat.NewDense(r, c, nil)
	for j := range cols {
		q.SetCol(j, cols[j])
	}
	return q
}

// Transform projects the rows of x onto the components.
func (p *PCA) Transform(x mat.Matrix) (*mat.Dense, error) {
	if x == nil {
		return nil, fmt.Errorf("embed: PCA.Transform: nil matrix")
	}
	n, d := x.Dims()
	if d != len(p.Mean) {
		return nil, fmt.Errorf("embed: PCA.Transform: %d columns, the PCA was fitted on %d", d, len(p.Mean))
	}
	xc := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			xc.Set(i, j, x.At(i, j)-p.Mean[j])
		}
	}
	var out mat.Dense
	out.Mul(xc, p.Components.T())
	return &out, nil
}
