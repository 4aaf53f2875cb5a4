package eval

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
)

// Score is one number with its protocol, printed together:
// "uniformity -3.41 (t=2, 10000 features, 49995000 pairs, L2-normalised)".
type Score struct {
	Name     string
	Value    float64
	Protocol string
}

func (s Score) String() string { return fmt.Sprintf("%s %.4g (%s)", s.Name, s.Value, s.Protocol) }

// Alignment is Wang & Isola's (2020) alignment loss E‖f(x)−f(y)‖₂^α over
// positive pairs: row i of x and row i of y embed two views of one image.
// Rows are L2-normalised first, so the value lies in [0, 2^α]; 0 means the
// views map to the same point. α = 0 means 2, the paper's choice.
func Alignment(x, y *Features, alpha float64) (Score, error) {
	if alpha == 0 {
		alpha = 2
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return Score{}, fmt.Errorf("eval: alignment: alpha must be positive, got %g", alpha)
	}
	if err := x.check("alignment x"); err != nil {
		return Score{}, err
	}
	if err := y.check("alignment y"); err != nil {
		return Score{}, err
	}
	if x.N != y.N || x.D != y.D || x.N == 0 {
		return Score{}, fmt.Errorf("eval: alignment: x is %d×%d and y %d×%d; want the same non-empty shape", x.N, x.D, y.N, y.D)
	}
	xn, yn := x.Normalized(), y.Normalized()
	var sum float64
	for i := 0; i < x.N; i++ {
		var d2 float64
		for j, v := range xn.Row(i) {
			dv := float64(v) - float64(yn.Row(i)[j])
			d2 += dv * dv
		}
		sum += math.Pow(d2, alpha/2)
	}
	return Score{Name: "alignment", Value: sum / float64(x.N),
		Protocol: fmt.Sprintf("α=%g, %d positive pairs, L2-normalised", alpha, x.N)}, nil
}

// Uniformity is Wang & Isola's (2020) uniformity loss
// log E exp(−t‖f(a)−f(b)‖²) over all pairs a < b of L2-normalised rows of
// f (torch.pdist's pairs). It lies in [−4t, 0]: 0 when every row is the
// same point, lower when the rows spread over the sphere. t = 0 means 2,
// the paper's choice. All N(N−1)/2 pairs are used, computed in chunks on
// all cores (10 000 rows take about a second).
func Uniformity(ctx context.Context, f *Features, t float64) (Score, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	if t == 0 {
		t = 2
	}
	if !(t > 0) || math.IsInf(t, 0) {
		return Score{}, fmt.Errorf("eval: uniformity: t must be positive, got %g", t)
	}
	if err := f.check("uniformity"); err != nil {
		return Score{}, err
	}
	if f.N < 2 {
		return Score{}, fmt.Errorf("eval: uniformity: need at least 2 rows, got %d", f.N)
	}
	fn := f.Normalized()
	// ‖a−b‖² = 2 − 2a·b on the unit sphere, so exp(−t‖a−b‖²) ∈ [e^{−4t}, 1]
	// and a plain float64 sum cannot overflow. Each query row sums its own
	// pairs (b > a) into its own slot; the slots are added in order.
	perRow := make([]float64, fn.N)
	err := similarityChunks(ctx, fn, fn, func(_, r0, r1 int, sims []float32) {
		for r := r0; r < r1; r++ {
			row := sims[(r-r0)*fn.N : (r-r0+1)*fn.N]
			var s float64
			for _, v := range row[r+1:] {
				d2 := math.Max(2-2*float64(v), 0)
				s += math.Exp(-t * d2)
			}
			perRow[r] = s
		}
	})
	if err != nil {
		return Score{}, fmt.Errorf("eval: uniformity: %w", err)
	}
	var sum float64
	for _, s := range perRow {
		sum += s
	}
	pairs := float64(fn.N) * float64(fn.N-1) / 2
	return Score{Name: "uniformity", Value: math.Log(sum / pairs),
		Protocol: fmt.Sprintf("t=%g, %d features, %.0f pairs, L2-normalised", t, f.N, pairs)}, nil
}

// EffectiveRank is Roy & Vetterli's (2007) effective rank of the N×D
// matrix of f, exp(−Σ pᵢ log pᵢ) with pᵢ = σᵢ/Σσ the normalised singular
// values, as RankMe (Garrido et al. 2023) applies it to embeddings: the
// matrix is used as it is, neither centred nor row-normalised. It lies in
// [1, min(N, D)]: 1 for a collapsed embedding (every row a multiple of one
// vector), min(N, D) when all singular values are equal.
func EffectiveRank(f *Features) (Score, error) {
	if err := f.check("effective rank"); err != nil {
		return Score{}, err
	}
	if f.N == 0 {
		return Score{}, fmt.Errorf("eval: effective rank: no rows")
	}
	sv, err := singularValues(f)
	if err != nil {
		return Score{}, fmt.Errorf("eval: effective rank: %w", err)
	}
	var total float64
	for _, s := range sv {
		total += s
	}
	if total == 0 {
		return Score{}, fmt.Errorf("eval: effective rank: the %d×%d matrix is all zeros", f.N, f.D)
	}
	var h float64
	for _, s := range sv {
		if p := s / total; p > 0 {
			h -= p * math.Log(p)
		}
	}
	return Score{Name: "effective rank", Value: math.Exp(h),
		Protocol: fmt.Sprintf("Roy & Vetterli, singular values of the %d×%d embedding matrix, max %d", f.N, f.D, min(f.N, f.D))}, nil
}

// singularValues of the N×D matrix: from the eigenvalues of the D×D Gram
// matrix when N ≥ D (cheaper for many rows), else a thin SVD.
func singularValues(f *Features) ([]float64, error) {
	gemm.Install() // gonum/mat's products in OpenBLAS where present
	x := mat.NewDense(f.N, f.D, nil)
	for i := 0; i < f.N; i++ {
		for j, v := range f.Row(i) {
			x.Set(i, j, float64(v))
		}
	}
	if f.N >= f.D {
		var gram mat.SymDense
		gram.SymOuterK(1, x.T())
		var eig mat.EigenSym
		if !eig.Factorize(&gram, false) {
			return nil, fmt.Errorf("eigendecomposition failed")
		}
		vals := eig.Values(nil)
		for i, v := range vals {
			vals[i] = math.Sqrt(math.Max(v, 0))
		}
		// Eigenvalues below rounding level of the largest are zero
		// singular values, not tiny genuine ones.
		top := 0.0
		for _, v := range vals {
			top = math.Max(top, v)
		}
		for i, v := range vals {
			if v < top*1e-7 {
				vals[i] = 0
			}
		}
		return vals, nil
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDNone) {
		return nil, fmt.Errorf("SVD failed")
	}
	return svd.Values(nil), nil
}

// DimensionStd is SimSiam's collapse detector: the standard deviation of
// each dimension of the L2-normalised embeddings. A collapsed embedding
// gives ≈ 0; embeddings spread evenly over the sphere give ≈ 1/√D.
type DimensionStd struct {
	PerDim    []float64 // std of each dimension over the rows
	Mean      float64   // mean of PerDim
	Reference float64   // 1/√D, the value of an isotropic embedding
	N, D      int
}

func (s DimensionStd) String() string {
	return fmt.Sprintf("per-dimension std %.4g (mean over %d dims of L2-normalised embeddings, 1/√d = %.4g, n %d)",
		s.Mean, s.D, s.Reference, s.N)
}

// EmbeddingStd computes the per-dimension standard deviation (population)
// of the L2-normalised rows of f.
func EmbeddingStd(f *Features) (DimensionStd, error) {
	if err := f.check("embedding std"); err != nil {
		return DimensionStd{}, err
	}
	if f.N == 0 {
		return DimensionStd{}, fmt.Errorf("eval: embedding std: no rows")
	}
	mean, std := make([]float64, f.D), make([]float64, f.D)
	fn := f.Normalized()
	for i := 0; i < fn.N; i++ {
		for j, v := range fn.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(fn.N)
	}
	for i := 0; i < fn.N; i++ {
		for j, v := range fn.Row(i) {
			d := float64(v) - mean[j]
			std[j] += d * d
		}
	}
	var avg float64
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(fn.N))
		avg += std[j]
	}
	return DimensionStd{PerDim: std, Mean: avg / float64(f.D), Reference: 1 / math.Sqrt(float64(f.D)), N: f.N, D: f.D}, nil
}
