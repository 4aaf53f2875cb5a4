package loss

import (
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// BarlowTwinsOptions configures BarlowTwins. The zero value is the paper's
// setting.
type BarlowTwinsOptions struct {
	// Lambda weighs the off-diagonal (redundancy-reduction) term
	// (default 0.0051, i.e. 5e-3 rounded as in the reference code).
	Lambda float64
	// Scale multiplies the whole loss (default 1; early versions of the
	// reference code used scale-loss 1/32 ≈ 0.024).
	Scale float64
	// Eps is the batch-norm epsilon (default 1e-5, BatchNorm1d's).
	Eps float64
}

// BarlowTwins standardises every embedding dimension of z1 and z2 (N×D)
// over the batch (BatchNorm1d without affine, training mode), forms the
// cross-correlation C = z1ᵀz2 / N (D×D) and returns
//
//	Scale · ( Σ_i (C_ii − 1)² + λ Σ_{i≠j} C_ij² ).
func BarlowTwins(z1, z2 *G.Node, opt BarlowTwinsOptions) (*G.Node, error) {
	if err := checkPair("BarlowTwins", z1, z2); err != nil {
		return nil, err
	}
	lambda := orDefault(opt.Lambda, 0.0051)
	sc := orDefault(opt.Scale, 1)
	eps := orDefault(opt.Eps, ops.DefaultBNEps)
	for _, p := range []struct {
		name string
		v    float64
	}{{"lambda", lambda}, {"scale", sc}, {"eps", eps}} {
		if err := positive("BarlowTwins", p.name, p.v); err != nil {
			return nil, err
		}
	}
	n := z1.Shape()[0]
	return build("BarlowTwins", func() *G.Node {
		a := m(ops.BatchStandardize(z1, eps))
		b := m(ops.BatchStandardize(z2, eps))
		c := m(scale(m(G.Mul(m(G.Transpose(a)), b)), 1/float64(n)))
		diag := m(ops.Diag(c))
		on := m(ops.SumSquares(m(addConst(diag, -1))))
		// Σ_{i≠j} C_ij² = ΣC² − Σdiag², both accumulated in float64.
		off := m(G.Sub(m(ops.SumSquares(c)), m(ops.SumSquares(diag))))
		return m(scale(m(G.Add(on, m(scale(off, lambda)))), sc))
	})
}
