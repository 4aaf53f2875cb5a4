package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// DisCoReduction says how DisCo reduces each view's squared errors
// (t̄ − s̄)² of the N×D normalised embeddings to one number.
type DisCoReduction int

const (
	// DisCoSum sums over the batch and the dimensions: DisCo's released
	// code (Yuting-Gao/DisCo-pytorch DisCo/main.py,
	// nn.MSELoss(reduction='sum') on each GPU's batch). The term grows
	// with the batch size, so it outweighs InfoNCE (a batch mean) by
	// about N.
	DisCoSum DisCoReduction = iota
	// DisCoBatchMean sums over the dimensions and averages over the batch,
	// mean_i ‖t̄_i − s̄_i‖²: one sample's Σ‖t − s‖² as the paper writes
	// it, and sslkit's default before it followed the released code.
	DisCoBatchMean
	// DisCoMean averages over batch and dimensions (torch's F.mse_loss
	// default, reduction='mean').
	DisCoMean
)

func (r DisCoReduction) String() string {
	switch r {
	case DisCoSum:
		return "sum"
	case DisCoBatchMean:
		return "batch-mean"
	case DisCoMean:
		return "mean"
	}
	return fmt.Sprintf("DisCoReduction(%d)", int(r))
}

// DisCoOptions configures DisCo. Start from DefaultDisCoOptions and change
// the fields you need; every field is used as given (Weight 0 leaves plain
// MoCo v2).
type DisCoOptions struct {
	// InfoNCE configures the contrastive term. Default
	// DefaultInfoNCEOptions(): τ = 0.2, MoCo v2's, which DisCo keeps.
	InfoNCE InfoNCEOptions
	// Weight ≥ 0 multiplies each distillation term. Default 1, as in the
	// released code (loss = 1.0·contrastive + 1.0·mse_q + 1.0·mse_k).
	Weight float64
	// Reduction of each distillation term. Default DisCoSum, the released
	// code's MSELoss(reduction='sum').
	Reduction DisCoReduction
}

// DefaultDisCoOptions returns DisCo's released settings: InfoNCE with
// τ = 0.2, weight 1, squared errors summed over batch and dimensions.
func DefaultDisCoOptions() DisCoOptions {
	return DisCoOptions{InfoNCE: DefaultInfoNCEOptions(), Weight: 1, Reduction: DisCoSum}
}

// DisCo is the distilled contrastive loss: MoCo v2's InfoNCE on the
// student's query q and momentum key k (against queue), plus the squared
// distance between the L2-normalised embeddings of the student and a
// frozen teacher on each view:
//
//	InfoNCE(q, k, queue) + w·Σ_{i,d}(q̄ − t̄_q)² + w·Σ_{i,d}(s̄_k − t̄_k)²
//
// with the sum over batch and dimensions by default (the released code's
// MSELoss(reduction='sum'); see DisCoReduction for the batch mean).
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
	w := opt.Weight
	if err := nonNegative("DisCo", "Weight", "DefaultDisCoOptions", w); err != nil {
		return nil, err
	}
	if opt.Reduction < DisCoSum || opt.Reduction > DisCoMean {
		return nil, fmt.Errorf("loss.DisCo: unknown Reduction %d (want loss.DisCoSum, DisCoBatchMean or DisCoMean; start from loss.DefaultDisCoOptions())", int(opt.Reduction))
	}
	return build("DisCo", func() *G.Node {
		total := m(G.Add(nce, m(scale(sqDist(q, tq, opt.Reduction), w))))
		if sk != nil {
			total = m(G.Add(total, m(scale(sqDist(sk, tk, opt.Reduction), w))))
		}
		return total
	})
}

// sqDist reduces (s̄ − t̄)² of the normalised rows as r says, t detached.
func sqDist(s, t *G.Node, r DisCoReduction) *G.Node {
	sn := m(ops.L2Normalize(s, 1, ops.DefaultNormEps))
	tn := m(ops.L2Normalize(m(ops.StopGradient(t)), 1, ops.DefaultNormEps))
	diff := m(G.Sub(sn, tn))
	switch r {
	case DisCoMean:
		return m(ops.MeanAxes(m(G.Square(diff))))
	case DisCoBatchMean:
		return m(ops.MeanAxes(m(ops.SumAxes(m(G.Square(diff)), 1))))
	}
	return m(ops.SumSquares(diff)) // accumulated in float64
}
