package method

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// base holds what every method has: a name, the student backbone, the
// encoder (backbone then projector), the trainable modules and the
// checkpointed tensors.
type base struct {
	name      string
	backbone  nn.Module
	encoder   *nn.Sequential
	trainable []nn.Module
	tensors   []*nn.Param
}

func (b *base) Name() string                    { return b.name }
func (b *base) Backbone() nn.Module             { return b.backbone }
func (b *base) Encoder() nn.Module              { return b.encoder }
func (b *base) Params() []*nn.Param             { return paramsOf(b.trainable...) }
func (b *base) Tensors() []*nn.Param            { return b.tensors }
func (b *base) BeforeStep(Position) error       { return nil }
func (b *base) AfterStep(*Step, Position) error { return nil }
func (b *base) String() string                  { return b.name + " on " + backboneName(b.backbone) }
func (b *base) setTraining()                    { nn.SetTraining(b.encoder, true) }
func (b *base) finish(extra []*nn.Param, others ...nn.Module) error {
	ts, err := allTensors(extra, append(append([]nn.Module{}, b.trainable...), others...)...)
	b.tensors = ts
	return err
}

// newBase checks the backbone and builds the encoder from the projector
// that mk makes for the backbone's feature size.
func newBase(name string, bb nn.Module, features int, mk func(in int) (nn.Module, error)) (*base, error) {
	if bb == nil {
		return nil, fmt.Errorf("method %s: nil backbone", name)
	}
	in, err := featuresOf(bb, features)
	if err != nil {
		return nil, err
	}
	proj, err := mk(in)
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	enc := nn.NewSequential(bb, proj)
	return &base{name: name, backbone: bb, encoder: enc, trainable: []nn.Module{enc}}, nil
}

func positive(name, what string, v int) error {
	if v < 1 {
		return fmt.Errorf("method %s: %s must be ≥ 1, got %d", name, what, v)
	}
	return nil
}

// SimCLROptions configure SimCLR.
type SimCLROptions struct {
	// Features is the backbone's output size (0: read from the backbone).
	Features int
	// ProjectorHidden and ProjectorOut size the Linear–ReLU–Linear
	// projector (paper: hidden = features, written as 0; out 128).
	ProjectorHidden, ProjectorOut int
	Loss                          loss.NTXentOptions
	// Seed initialises the projector.
	Seed int64
}

// DefaultSimCLROptions are the paper's: projector hidden = features,
// out 128, τ = 0.1 (the CIFAR-10 recipe uses τ = 0.5).
func DefaultSimCLROptions() SimCLROptions {
	return SimCLROptions{ProjectorOut: 128, Loss: loss.DefaultNTXentOptions(), Seed: 1}
}

// SimCLR is Chen et al. 2020: NT-Xent between the projections of two views.
type SimCLR struct {
	base
	Options SimCLROptions
}

// NewSimCLR builds SimCLR on bb.
func NewSimCLR(bb nn.Module, opt SimCLROptions) (*SimCLR, error) {
	b, err := newBase("SimCLR", bb, opt.Features, func(in int) (nn.Module, error) {
		hidden := opt.ProjectorHidden
		if hidden == 0 {
			hidden = in
		}
		if err := positive("SimCLR", "ProjectorOut", opt.ProjectorOut); err != nil {
			return nil, err
		}
		return head.SimCLRProjector("projector", in, hidden, opt.ProjectorOut, rand.New(rand.NewSource(opt.Seed)))
	})
	if err != nil {
		return nil, err
	}
	m := &SimCLR{base: *b, Options: opt}
	return m, m.finish(nil)
}

// BuildLoss is NTXent(projector(backbone(views[0])), projector(backbone(views[1]))).
func (m *SimCLR) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, err
	}
	m.setTraining()
	z, err := forwardAll(m.encoder, views[:2])
	if err != nil {
		return nil, err
	}
	l, err := loss.NTXent(z[0], z[1], m.Options.Loss)
	if err != nil {
		return nil, err
	}
	return NewStep(l, views)
}

// BarlowTwinsOptions configure Barlow Twins.
type BarlowTwinsOptions struct {
	Features int
	// ProjectorHidden and ProjectorOut size the three-layer projector
	// (paper 8192-8192-8192; solo-learn's CIFAR recipe 2048-2048-2048).
	ProjectorHidden, ProjectorOut int
	Loss                          loss.BarlowTwinsOptions
	Seed                          int64
}

// DefaultBarlowTwinsOptions are the paper's: 8192-d projector, λ = 0.0051.
func DefaultBarlowTwinsOptions() BarlowTwinsOptions {
	return BarlowTwinsOptions{ProjectorHidden: 8192, ProjectorOut: 8192,
		Loss: loss.DefaultBarlowTwinsOptions(), Seed: 1}
}

// BarlowTwins is Zbontar et al. 2021: the cross-correlation of two views'
// batch-standardised projections is pushed towards the identity.
type BarlowTwins struct {
	base
	Options BarlowTwinsOptions
	last    [2][]float32 // the projections of the last step
	n, d    int
}

// NewBarlowTwins builds Barlow Twins on bb.
func NewBarlowTwins(bb nn.Module, opt BarlowTwinsOptions) (*BarlowTwins, error) {
	b, err := newBase("Barlow Twins", bb, opt.Features, func(in int) (nn.Module, error) {
		if err := positive("Barlow Twins", "ProjectorHidden", opt.ProjectorHidden); err != nil {
			return nil, err
		}
		if err := positive("Barlow Twins", "ProjectorOut", opt.ProjectorOut); err != nil {
			return nil, err
		}
		return head.BarlowTwinsProjector("projector", in, opt.ProjectorHidden, opt.ProjectorOut, rand.New(rand.NewSource(opt.Seed)))
	})
	if err != nil {
		return nil, err
	}
	m := &BarlowTwins{base: *b, Options: opt}
	return m, m.finish(nil)
}

// BuildLoss is loss.BarlowTwins on the two views' projections, which it
// keeps as "z1" and "z2" for CrossCorrelation.
func (m *BarlowTwins) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, err
	}
	m.setTraining()
	z, err := forwardAll(m.encoder, views[:2])
	if err != nil {
		return nil, err
	}
	l, err := loss.BarlowTwins(z[0], z[1], m.Options.Loss)
	if err != nil {
		return nil, err
	}
	s, err := NewStep(l, views)
	if err != nil {
		return nil, err
	}
	if err := s.Keep("z1", z[0]); err != nil {
		return nil, err
	}
	return s, s.Keep("z2", z[1])
}

// AfterStep remembers the step's projections.
func (m *BarlowTwins) AfterStep(s *Step, _ Position) error {
	for i, name := range []string{"z1", "z2"} {
		v := s.Value(name)
		if v == nil {
			return fmt.Errorf("method %s: no %s after the run", m.name, name)
		}
		d, ok := v.Data().([]float32)
		if !ok {
			return fmt.Errorf("method %s: %s holds %T", m.name, name, v.Data())
		}
		m.last[i] = append(m.last[i][:0], d...)
		m.n, m.d = v.Shape()[0], v.Shape()[1]
	}
	return nil
}

// CrossCorrelation is the D×D matrix C of the last training step (row-major),
// the quantity Barlow Twins drives to the identity; nil before the first step.
func (m *BarlowTwins) CrossCorrelation() ([]float64, int) {
	if m.last[0] == nil {
		return nil, 0
	}
	return CrossCorrelation(m.last[0], m.last[1], m.n, m.d, m.Options.Loss.Eps), m.d
}

// CrossCorrelation standardises each column of the N×D row-major
// projections z1 and z2 over the batch (biased variance plus eps, as
// BatchNorm1d without affine) and returns C = z1ᵀz2/N (D×D, row-major).
func CrossCorrelation(z1, z2 []float32, n, d int, eps float64) []float64 {
	a, b := standardise(z1, n, d, eps), standardise(z2, n, d, eps)
	c := make([]float64, d*d)
	for r := 0; r < n; r++ {
		ar, br := a[r*d:(r+1)*d], b[r*d:(r+1)*d]
		for i, x := range ar {
			row := c[i*d : (i+1)*d]
			for j, y := range br {
				row[j] += x * y
			}
		}
	}
	for i := range c {
		c[i] /= float64(n)
	}
	return c
}

func standardise(z []float32, n, d int, eps float64) []float64 {
	out := make([]float64, n*d)
	for j := 0; j < d; j++ {
		mean := 0.0
		for r := 0; r < n; r++ {
			mean += float64(z[r*d+j])
		}
		mean /= float64(n)
		v := 0.0
		for r := 0; r < n; r++ {
			x := float64(z[r*d+j]) - mean
			v += x * x
		}
		inv := 1 / math.Sqrt(v/float64(n)+eps)
		for r := 0; r < n; r++ {
			out[r*d+j] = (float64(z[r*d+j]) - mean) * inv
		}
	}
	return out
}
