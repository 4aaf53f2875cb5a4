package loss

import (
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// DistillOptions configures Distill. The zero value is S2-BNN's setting.
type DistillOptions struct {
	// Temperature τ shared by teacher and student (default 0.2).
	Temperature float64
	// SkipNormalize uses the projections as given; by default both are
	// L2-normalised first (S2-BNN distils normalised 128-d projections).
	SkipNormalize bool
}

// Distill is S2-BNN's distribution distillation: the soft cross-entropy
//
//	mean_i −Σ_c softmax(t_i/τ)_c · log_softmax(s_i/τ)_c
//
// between the real-valued teacher's projection t (detached) and the binary
// student's s (both N×D, same view).
func Distill(s, t *G.Node, opt DistillOptions) (*G.Node, error) {
	if err := checkPair("Distill", s, t); err != nil {
		return nil, err
	}
	tau := orDefault(opt.Temperature, 0.2)
	if err := positive("Distill", "temperature", tau); err != nil {
		return nil, err
	}
	return build("Distill", func() *G.Node {
		td := m(ops.StopGradient(t))
		sn := s
		if !opt.SkipNormalize {
			sn = m(ops.L2Normalize(s, 1, ops.DefaultNormEps))
			td = m(ops.L2Normalize(td, 1, ops.DefaultNormEps))
		}
		target := m(ops.Softmax(m(scale(td, 1/tau)), -1))
		return m(ops.SoftCrossEntropy(m(scale(sn, 1/tau)), target))
	})
}
