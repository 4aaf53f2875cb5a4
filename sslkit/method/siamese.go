package method

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// predictive is the shape BYOL, SimSiam and the triplet method share:
// an online encoder with a predictor and, except for SimSiam, a momentum
// target encoder updated with BYOL's cosine momentum.
type predictive struct {
	base
	predictor nn.Module
	target    nn.Module // nil for SimSiam: the online encoder is its own target
	momentum  float64
}

// Predictor is the online predictor head.
func (m *predictive) Predictor() nn.Module { return m.predictor }

// Target is the momentum target encoder (nil for SimSiam).
func (m *predictive) Target() nn.Module { return m.target }

func newPredictive(name string, bb nn.Module, features int, seed int64, momentum float64, withTarget bool,
	mkProj func(in int, rng *rand.Rand) (*head.Head, error), mkPred func(dim int, rng *rand.Rand) (*head.Head, error)) (*predictive, error) {
	rng := rand.New(rand.NewSource(seed))
	var proj *head.Head
	b, err := newBase(name, bb, features, func(in int) (nn.Module, error) {
		var err error
		proj, err = mkProj(in, rng)
		return proj, err
	})
	if err != nil {
		return nil, err
	}
	pred, err := mkPred(proj.Out, rng)
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	m := &predictive{base: *b, predictor: pred, momentum: momentum}
	m.trainable = append(m.trainable, pred)
	if withTarget {
		if !(momentum >= 0 && momentum <= 1) {
			return nil, fmt.Errorf("method %s: momentum %g outside [0, 1]", name, momentum)
		}
		if m.target, err = Clone(m.encoder, "target."); err != nil {
			return nil, err
		}
	}
	return m, m.finish(nil, m.target)
}

// forward returns the predictions p and the targets t of the first two views.
func (m *predictive) forward(views []*G.Node) (p, t []*G.Node, err error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, nil, err
	}
	m.setTraining()
	nn.SetTraining(m.predictor, true)
	z, err := forwardAll(m.encoder, views[:2])
	if err != nil {
		return nil, nil, err
	}
	if p, err = forwardAll(m.predictor, z); err != nil {
		return nil, nil, err
	}
	if m.target == nil {
		return p, z, nil
	}
	nn.SetTraining(m.target, true) // BYOL's target normalises with batch statistics too
	t, err = forwardAll(m.target, views[:2])
	return p, t, err
}

// AfterStep moves the target towards the online encoder with the cosine
// momentum of BYOL at this step.
func (m *predictive) AfterStep(_ *Step, at Position) error {
	if m.target == nil {
		return nil
	}
	return EMA(m.target, m.encoder, CosineMomentum(m.momentum, at.Step, at.Steps))
}

// BYOLOptions configure BYOL.
type BYOLOptions struct {
	Features int
	// ProjectorHidden/Out and PredictorHidden size the heads (paper 4096,
	// 256 and 4096).
	ProjectorHidden, ProjectorOut, PredictorHidden int
	// Momentum is the base τ of the target's EMA, raised to 1 over the run
	// by a cosine (paper 0.996).
	Momentum float64
	Seed     int64
}

// DefaultBYOLOptions are the paper's.
func DefaultBYOLOptions() BYOLOptions {
	return BYOLOptions{ProjectorHidden: 4096, ProjectorOut: 256, PredictorHidden: 4096, Momentum: 0.996, Seed: 1}
}

// BYOL is Grill et al. 2020: an online network predicts a momentum
// target's projection of the other view.
type BYOL struct {
	predictive
	Options BYOLOptions
}

// NewBYOL builds BYOL on bb; the target starts as a Clone of the online
// encoder (tensors prefixed "target.").
func NewBYOL(bb nn.Module, opt BYOLOptions) (*BYOL, error) {
	p, err := newPredictive("BYOL", bb, opt.Features, opt.Seed, opt.Momentum, true,
		func(in int, rng *rand.Rand) (*head.Head, error) {
			return head.BYOLMLP("projector", in, opt.ProjectorHidden, opt.ProjectorOut, rng)
		},
		func(dim int, rng *rand.Rand) (*head.Head, error) {
			return head.BYOLMLP("predictor", dim, opt.PredictorHidden, dim, rng)
		})
	if err != nil {
		return nil, err
	}
	return &BYOL{predictive: *p, Options: opt}, nil
}

// BuildLoss is loss.BYOLSymmetric(p1, p2, target(view1), target(view2)).
func (m *BYOL) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	p, t, err := m.forward(views)
	if err != nil {
		return nil, err
	}
	l, err := loss.BYOLSymmetric(p[0], p[1], t[0], t[1])
	if err != nil {
		return nil, err
	}
	return NewStep(l, views)
}

// SimSiamOptions configure SimSiam.
type SimSiamOptions struct {
	Features int
	// ProjectorHidden/Out and PredictorHidden size the heads (paper 2048,
	// 2048 and the 512 bottleneck).
	ProjectorHidden, ProjectorOut, PredictorHidden int
	Seed                                           int64
}

// DefaultSimSiamOptions are the paper's.
func DefaultSimSiamOptions() SimSiamOptions {
	return SimSiamOptions{ProjectorHidden: 2048, ProjectorOut: 2048, PredictorHidden: 512, Seed: 1}
}

// SimSiam is Chen & He 2021: BYOL without a momentum target; the
// stop-gradient alone prevents collapse.
type SimSiam struct {
	predictive
	Options SimSiamOptions
}

// NewSimSiam builds SimSiam on bb.
func NewSimSiam(bb nn.Module, opt SimSiamOptions) (*SimSiam, error) {
	p, err := newPredictive("SimSiam", bb, opt.Features, opt.Seed, 0, false,
		func(in int, rng *rand.Rand) (*head.Head, error) {
			return head.SimSiamProjector("projector", in, opt.ProjectorHidden, opt.ProjectorOut, rng)
		},
		func(dim int, rng *rand.Rand) (*head.Head, error) {
			return head.SimSiamPredictor("predictor", dim, opt.PredictorHidden, rng)
		})
	if err != nil {
		return nil, err
	}
	return &SimSiam{predictive: *p, Options: opt}, nil
}

// BuildLoss is loss.SimSiam(p1, p2, z1, z2).
func (m *SimSiam) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	p, z, err := m.forward(views)
	if err != nil {
		return nil, err
	}
	l, err := loss.SimSiam(p[0], p[1], z[0], z[1])
	if err != nil {
		return nil, err
	}
	return NewStep(l, views)
}

// TripletOptions configure the median/truncated triplet method
// (wanggrun/triplet: BYOL's networks with a triplet loss).
type TripletOptions struct {
	Features                                       int
	ProjectorHidden, ProjectorOut, PredictorHidden int
	Momentum                                       float64
	Loss                                           loss.TripletOptions
	Seed                                           int64
}

// DefaultTripletOptions are the released code's: BYOL's heads and
// momentum, the truncated variant (2nd–10th closest negatives), γ = 2,
// margin 100.
func DefaultTripletOptions() TripletOptions {
	return TripletOptions{ProjectorHidden: 4096, ProjectorOut: 256, PredictorHidden: 4096, Momentum: 0.996,
		Loss: loss.DefaultTripletOptions(), Seed: 1}
}

// Triplet is the median/truncated triplet method of Wang et al.
type Triplet struct {
	predictive
	Options TripletOptions
}

// NewTriplet builds the triplet method on bb.
func NewTriplet(bb nn.Module, opt TripletOptions) (*Triplet, error) {
	name := "Triplet (truncated)"
	if opt.Loss.Variant == loss.Median {
		name = "Triplet (median)"
	}
	p, err := newPredictive(name, bb, opt.Features, opt.Seed, opt.Momentum, true,
		func(in int, rng *rand.Rand) (*head.Head, error) {
			return head.BYOLMLP("projector", in, opt.ProjectorHidden, opt.ProjectorOut, rng)
		},
		func(dim int, rng *rand.Rand) (*head.Head, error) {
			return head.BYOLMLP("predictor", dim, opt.PredictorHidden, dim, rng)
		})
	if err != nil {
		return nil, err
	}
	return &Triplet{predictive: *p, Options: opt}, nil
}

// BuildLoss is loss.TripletSymmetric(p1, p2, target(view1), target(view2)).
func (m *Triplet) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	p, t, err := m.forward(views)
	if err != nil {
		return nil, err
	}
	l, err := loss.TripletSymmetric(p[0], p[1], t[0], t[1], m.Options.Loss)
	if err != nil {
		return nil, err
	}
	return NewStep(l, views)
}
