package loss

import (
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// DistillOptions configures Distill. Start from DefaultDistillOptions and
// change the fields you need; every field is used as given.
type DistillOptions struct {
	// Temperature τ > 0 shared by teacher and student. Default 0.2,
	// S2-BNN's (szq0214/S2-BNN, the paper's τ = 0.2).
	Temperature float64
	// SkipNormalize uses the projections as given; by default both are
	// L2-normalised first (S2-BNN distils normalised 128-d projections).
	SkipNormalize bool
}

// DefaultDistillOptions returns S2-BNN's settings: τ = 0.2, both
// projections L2-normalised.
func DefaultDistillOptions() DistillOptions { return DistillOptions{Temperature: 0.2} }

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
	tau := opt.Temperature
	if err := positive("Distill", "Temperature", "DefaultDistillOptions", tau); err != nil {
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
