package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// TripletVariant picks the negative of the triplet loss.
type TripletVariant int

const (
	// Truncated (the released code's default) uses, per anchor, the mean
	// distance of the negatives ranked Lo … Hi−1 by closeness (default the
	// 2nd–10th closest).
	Truncated TripletVariant = iota
	// Median (the paper's first version) uses the negative of median
	// distance (the lower median for an even count, like torch.median).
	Median
)

// TripletOptions configures Triplet. Start from DefaultTripletOptions and
// change the fields you need; every field is used as given (Margin 0 is a
// hinge at zero).
type TripletOptions struct {
	// Variant picks the negative. Default Truncated, wanggrun/triplet's
	// released code; the paper's first version used Median.
	Variant TripletVariant
	// Gamma weighs the anchor–positive distance. Default 2, as in the
	// released code.
	Gamma float64
	// Margin of the hinge. Default 100, the released code's, large enough
	// that the hinge is always active.
	Margin float64
	// Lo and Hi bound the ranks averaged by Truncated, 0-based, Hi
	// exclusive, 0 ≤ Lo < Hi. Default 1 and 10 (the 2nd–10th closest
	// negatives, as in the released code); Hi is clipped to the N−1
	// negatives of the batch.
	Lo, Hi int
}

// DefaultTripletOptions returns wanggrun/triplet's released settings:
// truncated negatives of ranks 1…9, γ = 2, margin 100.
func DefaultTripletOptions() TripletOptions {
	return TripletOptions{Variant: Truncated, Gamma: 2, Margin: 100, Lo: 1, Hi: 10}
}

// Triplet is the median/truncated triplet loss of wanggrun/triplet for
// online predictions p and momentum-target projections t (N×D; t is
// detached). With d_ij = −2·cos(p_i, t_j), d_ap = d_ii and d_an from the
// other N−1 targets per the variant,
//
//	loss = mean_i max(0, γ·d_ap − d_an + margin).
func Triplet(p, t *G.Node, opt TripletOptions) (*G.Node, error) {
	if err := checkPair("Triplet", p, t); err != nil {
		return nil, err
	}
	n := p.Shape()[0]
	if n < 2 {
		return nil, fmt.Errorf("loss.Triplet: batch of %d has no negatives", n)
	}
	const ctor = "DefaultTripletOptions"
	gamma, margin := opt.Gamma, opt.Margin
	if err := finite("Triplet", "Gamma", ctor, gamma); err != nil {
		return nil, err
	}
	if err := finite("Triplet", "Margin", ctor, margin); err != nil {
		return nil, err
	}
	var lo, hi int
	switch opt.Variant {
	case Truncated:
		lo, hi = opt.Lo, opt.Hi
		if lo < 0 || lo >= hi {
			return nil, fmt.Errorf("loss.Triplet: Lo %d and Hi %d select no rank (want 0 ≤ Lo < Hi; start from loss.%s())", opt.Lo, opt.Hi, ctor)
		}
		if hi > n-1 {
			hi = n - 1
		}
		if lo >= hi {
			return nil, fmt.Errorf("loss.Triplet: ranks [%d, %d) select no negative of the batch's %d", opt.Lo, opt.Hi, n-1)
		}
	case Median:
		lo = (n - 2) / 2
		hi = lo + 1
	default:
		return nil, fmt.Errorf("loss.Triplet: unknown Variant %d (want loss.Truncated or loss.Median)", opt.Variant)
	}
	return build("Triplet", func() *G.Node {
		pn := m(ops.L2Normalize(p, 1, ops.DefaultNormEps))
		tn := m(ops.L2Normalize(m(ops.StopGradient(t)), 1, ops.DefaultNormEps))
		d := m(scale(m(G.Mul(pn, m(G.Transpose(tn)))), -2))
		ap := m(scale(m(ops.Diag(d)), gamma))
		an := m(ops.RankMean(d, lo, hi, true))
		hinge := m(G.Rectify(m(addConst(m(G.Sub(ap, an)), margin))))
		return m(G.Mean(hinge))
	})
}

// TripletSymmetric is Triplet(p1, t2) + Triplet(p2, t1), the loss summed
// over both view orders as in BYOL-style training.
func TripletSymmetric(p1, p2, t1, t2 *G.Node, opt TripletOptions) (*G.Node, error) {
	a, err := Triplet(p1, t2, opt)
	if err != nil {
		return nil, err
	}
	b, err := Triplet(p2, t1, opt)
	if err != nil {
		return nil, err
	}
	return build("TripletSymmetric", func() *G.Node { return m(G.Add(a, b)) })
}
