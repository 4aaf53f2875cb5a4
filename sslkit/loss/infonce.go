package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// InfoNCEOptions configures InfoNCE. Start from DefaultInfoNCEOptions and
// change the fields you need; every field is used as given.
type InfoNCEOptions struct {
	// Temperature τ > 0. Default 0.2, MoCo v2's (facebookresearch/moco
	// main_moco.py --moco-t with --mlp --aug-plus --cos); MoCo v1 used 0.07,
	// lightly's NTXentLoss with a memory bank defaults to 0.5.
	Temperature float64
	// SkipNormalize leaves q and k as given; by default both are
	// L2-normalised, as MoCo's encoders do before the loss.
	SkipNormalize bool
}

// DefaultInfoNCEOptions returns MoCo v2's settings: τ = 0.2, q and k
// L2-normalised.
func DefaultInfoNCEOptions() InfoNCEOptions { return InfoNCEOptions{Temperature: 0.2} }

// InfoNCE is MoCo's contrastive loss for queries q and keys k (N×D) against
// the queue's K negatives (queue, K×D, e.g. Queue.Node): logits
// [q_i·k_i, q_i·queue_j] / τ and cross-entropy with the positive at index 0,
// mean over i. k is detached (it comes from the momentum encoder) and so is
// the queue (StopGradient, as MoCo's buffer): only q receives a gradient.
// Ask ops.Grad rather than gorgonia.Grad when the list includes k or the
// queue, which then get zero gradients.
func InfoNCE(q, k, queue *G.Node, opt InfoNCEOptions) (*G.Node, error) {
	if err := checkPair("InfoNCE", q, k); err != nil {
		return nil, err
	}
	if err := checkEmb("InfoNCE", queue); err != nil {
		return nil, err
	}
	if queue.Shape()[1] != q.Shape()[1] || queue.Dtype() != q.Dtype() {
		return nil, fmt.Errorf("loss.InfoNCE: queue %v %v does not match queries %v %v", queue.Shape(), queue.Dtype(), q.Shape(), q.Dtype())
	}
	tau := opt.Temperature
	if err := positive("InfoNCE", "Temperature", "DefaultInfoNCEOptions", tau); err != nil {
		return nil, err
	}
	n := q.Shape()[0]
	return build("InfoNCE", func() *G.Node {
		kd := m(ops.StopGradient(k))
		qd := q
		if !opt.SkipNormalize {
			qd = m(ops.L2Normalize(q, 1, ops.DefaultNormEps))
			kd = m(ops.L2Normalize(kd, 1, ops.DefaultNormEps))
		}
		pos := m(G.Reshape(m(G.Sum(m(G.HadamardProd(qd, kd)), 1)), []int{n, 1}))
		neg := m(G.Mul(qd, m(G.Transpose(m(ops.StopGradient(queue))))))
		logits := m(scale(m(ops.Concat(1, pos, neg)), 1/tau))
		y := ops.Labels(q.Graph(), fmt.Sprintf("infonce_labels_%d", n), make([]int, n))
		return m(ops.CrossEntropy(logits, y))
	})
}
