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

// TripletOptions configures Triplet. The zero value is the released code's
// setting.
type TripletOptions struct {
	Variant TripletVariant
	// Gamma weighs the anchor–positive distance (default 2).
	Gamma float64
	// Margin (default 100, so the hinge is always active as in the code;
	// zero means the default, so ask for a tiny value to get ≈ 0).
	Margin float64
	// Lo and Hi bound the ranks averaged by Truncated, 0-based, Hi
	// exclusive (default 1 and 10; Hi is clipped to the N−1 negatives).
	Lo, Hi int
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
	gamma := orDefault(opt.Gamma, 2)
	margin := orDefault(opt.Margin, 100)
	var lo, hi int
	switch opt.Variant {
	case Truncated:
		lo, hi = opt.Lo, opt.Hi
		if lo == 0 && hi == 0 {
			lo, hi = 1, 10
		}
		if hi > n-1 {
			hi = n - 1
		}
		if lo < 0 || lo >= hi {
			return nil, fmt.Errorf("loss.Triplet: ranks [%d, %d) select no negative of %d", opt.Lo, hi, n-1)
		}
	case Median:
		lo = (n - 2) / 2
		hi = lo + 1
	default:
		return nil, fmt.Errorf("loss.Triplet: unknown variant %d", opt.Variant)
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
