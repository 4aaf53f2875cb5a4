package method

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// S2BNNOptions configure S2-BNN.
type S2BNNOptions struct {
	Features int
	// ProjectorHidden (0: the feature size) and ProjectorOut size the
	// student's Linear–ReLU–Linear projector; ProjectorOut must equal the
	// teacher's embedding size (paper 128).
	ProjectorHidden, ProjectorOut int
	Loss                          loss.DistillOptions
	Seed                          int64
}

// DefaultS2BNNOptions are the paper's distillation-only setting: 128-d
// normalised projections, τ = 0.2.
func DefaultS2BNNOptions() S2BNNOptions {
	return S2BNNOptions{ProjectorOut: 128, Loss: loss.DefaultDistillOptions(), Seed: 1}
}

// S2BNN is Shen et al. 2021: a binary student (backbone.NewBinaryResNet18)
// learns only by matching the softened output distribution of a frozen
// real-valued teacher on the same view.
type S2BNN struct {
	base
	Options S2BNNOptions
	teacher nn.Module
}

// Teacher is the frozen teacher (a Clone, tensors prefixed "teacher.").
func (m *S2BNN) Teacher() nn.Module { return m.teacher }

// NewS2BNN builds S2-BNN: student backbone bb (usually binary) and a
// trained teacher mapping images to ProjectorOut-d embeddings (a trained
// method's Encoder()). The teacher is copied and frozen.
func NewS2BNN(bb nn.Module, teacher nn.Module, opt S2BNNOptions) (*S2BNN, error) {
	b, err := newBase("S2-BNN", bb, opt.Features, func(in int) (nn.Module, error) {
		hidden := opt.ProjectorHidden
		if hidden == 0 {
			hidden = in
		}
		if err := positive("S2-BNN", "ProjectorOut", opt.ProjectorOut); err != nil {
			return nil, err
		}
		return head.MoCoV2Projector("projector", in, hidden, opt.ProjectorOut, rand.New(rand.NewSource(opt.Seed)))
	})
	if err != nil {
		return nil, err
	}
	m := &S2BNN{base: *b, Options: opt}
	if m.teacher, err = frozenTeacher("S2-BNN", teacher); err != nil {
		return nil, err
	}
	return m, m.finish(nil, m.teacher)
}

// BuildLoss is the mean over views of loss.Distill(student(v), teacher(v)).
func (m *S2BNN) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	if err := checkViews(m.name, views, 1); err != nil {
		return nil, err
	}
	m.setTraining()
	nn.SetTraining(m.teacher, false)
	s, err := forwardAll(m.encoder, views)
	if err != nil {
		return nil, err
	}
	t, err := forwardAll(m.teacher, views)
	if err != nil {
		return nil, fmt.Errorf("method S2-BNN: teacher: %w", err)
	}
	var total *G.Node
	for i := range views {
		l, err := loss.Distill(s[i], t[i], m.Options.Loss)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = l
		} else if total, err = G.Add(total, l); err != nil {
			return nil, err
		}
	}
	if len(views) > 1 {
		if total, err = G.HadamardDiv(total, G.NewConstant(float32(len(views)))); err != nil {
			return nil, err
		}
	}
	return NewStep(total, views)
}
