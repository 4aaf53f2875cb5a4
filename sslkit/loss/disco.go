package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// DisCoOptions configures DisCo. The zero value is the paper's setting.
type DisCoOptions struct {
	// InfoNCE configures the contrastive term (default τ = 0.2).
	InfoNCE InfoNCEOptions
	// Weight multiplies each distillation term (default 1).
	Weight float64
	// MeanOverDims averages the squared error over the D dimensions too
	// (torch's F.mse_loss); by default it is summed over dimensions and
	// averaged over the batch, the paper's Σ‖t − s‖².
	MeanOverDims bool
}

// DisCo is the distilled contrastive loss: MoCo v2's InfoNCE on the
// student's query q and momentum key k (against queue), plus the squared
// distance between the L2-normalised embeddings of the student and a
// frozen teacher on each view:
//
//	InfoNCE(q, k, queue) + w·MSE(q, t_q) + w·MSE(s_k, t_k)
//
// q = s(x_q) and sk = s(x_k) are the student's (online) embeddings of the
// two views, tq and tk the teacher's (detached). Pass sk and tk as nil to
// distil on the query view only.
func DisCo(q, k, queue, tq, sk, tk *G.Node, opt DisCoOptions) (*G.Node, error) {
	nce, err := InfoNCE(q, k, queue, opt.InfoNCE)
	if err != nil {
		return nil, fmt.Errorf("loss.DisCo: %w", err)
	}
	if err := checkPair("DisCo", q, tq); err != nil {
		return nil, err
	}
	if (sk == nil) != (tk == nil) {
		return nil, fmt.Errorf("loss.DisCo: give both sk and tk, or neither")
	}
	if sk != nil {
		if err := checkPair("DisCo", sk, tk); err != nil {
			return nil, err
		}
	}
	w := orDefault(opt.Weight, 1)
	return build("DisCo", func() *G.Node {
		total := m(G.Add(nce, m(scale(sqDist(q, tq, opt.MeanOverDims), w))))
		if sk != nil {
			total = m(G.Add(total, m(scale(sqDist(sk, tk, opt.MeanOverDims), w))))
		}
		return total
	})
}

// sqDist is mean_i ‖s̄_i − t̄_i‖² of the normalised rows, t detached
// (divided by D as well when meanDims).
func sqDist(s, t *G.Node, meanDims bool) *G.Node {
	sn := m(ops.L2Normalize(s, 1, ops.DefaultNormEps))
	tn := m(ops.L2Normalize(m(ops.StopGradient(t)), 1, ops.DefaultNormEps))
	sq := m(G.Square(m(G.Sub(sn, tn))))
	if meanDims {
		return m(ops.MeanAxes(sq))
	}
	return m(ops.MeanAxes(m(ops.SumAxes(sq, 1))))
}
