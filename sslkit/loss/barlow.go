package loss

import (
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// BarlowTwinsOptions configures BarlowTwins. Start from
// DefaultBarlowTwinsOptions and change the fields you need; every field is
// used as given (Lambda 0 drops the redundancy term).
type BarlowTwinsOptions struct {
	// Lambda ≥ 0 weighs the off-diagonal (redundancy-reduction) term.
	// Default 0.0051, facebookresearch/barlowtwins main.py's --lambd (the
	// paper's 5e-3).
	Lambda float64
	// Scale > 0 multiplies the whole loss. Default 1 (the current
	// reference code; early versions used --scale-loss 1/32 ≈ 0.024).
	Scale float64
	// Eps ≥ 0 is the batch-norm epsilon. Default 1e-5, BatchNorm1d's.
	Eps float64
}

// DefaultBarlowTwinsOptions returns the released code's settings:
// λ = 0.0051, scale 1, eps 1e-5.
func DefaultBarlowTwinsOptions() BarlowTwinsOptions {
	return BarlowTwinsOptions{Lambda: 0.0051, Scale: 1, Eps: ops.DefaultBNEps}
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
	lambda, sc, eps := opt.Lambda, opt.Scale, opt.Eps
	const ctor = "DefaultBarlowTwinsOptions"
	if err := nonNegative("BarlowTwins", "Lambda", ctor, lambda); err != nil {
		return nil, err
	}
	if err := positive("BarlowTwins", "Scale", ctor, sc); err != nil {
		return nil, err
	}
	if err := nonNegative("BarlowTwins", "Eps", ctor, eps); err != nil {
		return nil, err
	}
	return build("BarlowTwins", func() *G.Node {
		a := m(ops.BatchStandardize(z1, eps))
		b := m(ops.BatchStandardize(z2, eps))
		// One op for C = aᵀb/N and both terms (see ops.BarlowTwinsTerms).
		return m(scale(m(ops.BarlowTwinsTerms(a, b, lambda)), sc))
	})
}
