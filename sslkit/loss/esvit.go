package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// EsViT combines DINO's view loss with EsViT's region-matching loss, each
// with its own centre (View for the B×K view logits, Region for the
// B×P×K patch logits).
type EsViT struct {
	View   *DINO
	Region *DINO
}

// NewEsViT returns an EsViT loss with K = viewDim view outputs and
// regionDim patch outputs, sharing opt (EsViT's own defaults are DINO's:
// start from DefaultDINOOptions).
func NewEsViT(viewDim, regionDim int, dt tensor.Dtype, opt DINOOptions) (*EsViT, error) {
	v, err := NewDINO(viewDim, dt, opt)
	if err != nil {
		return nil, err
	}
	r, err := NewDINO(regionDim, dt, opt)
	if err != nil {
		return nil, err
	}
	return &EsViT{View: v, Region: r}, nil
}

// RegionViews are one crop's patch-level outputs: Logits (B×P×K, the
// region head) and Features (B×P×F, the backbone's patch features used for
// matching).
type RegionViews struct {
	Logits, Features *G.Node
}

// RegionLoss is EsViT's region term: for every teacher view iq and student
// view v ≠ iq, each student patch is matched to the teacher patch of the
// same image with the most similar features, and the loss is the
// cross-entropy between that teacher patch's centred, sharpened softmax
// and the student patch's log_softmax(·/τ_s), averaged over patches and
// images, then over pairs. The teacher is detached.
func (e *EsViT) RegionLoss(student, teacher []RegionViews) (*G.Node, error) {
	if len(student) == 0 || len(teacher) == 0 {
		return nil, fmt.Errorf("loss.EsViT: need student and teacher views")
	}
	for _, r := range append(append([]RegionViews{}, student...), teacher...) {
		if r.Logits == nil || r.Features == nil {
			return nil, fmt.Errorf("loss.EsViT: nil region node")
		}
		l, f := r.Logits.Shape(), r.Features.Shape()
		if l.Dims() != 3 || f.Dims() != 3 || l[0] != f[0] || l[1] != f[1] || l[2] != e.Region.dim {
			return nil, fmt.Errorf("loss.EsViT: region logits %v and features %v, want B×P×%d and B×P×F", l, f, e.Region.dim)
		}
	}
	sl := make([]*G.Node, len(student))
	tl := make([]*G.Node, len(teacher))
	for i, s := range student {
		sl[i] = s.Logits
	}
	for i, t := range teacher {
		tl[i] = t.Logits
	}
	tau := e.Region.opt.StudentTemp
	return e.Region.crossView("EsViT", sl, tl, func(s, q *G.Node, v, iq int) (*G.Node, error) {
		tf := m(ops.StopGradient(teacher[iq].Features))
		matched := m(ops.MatchGather(student[v].Features, tf, q))
		return ops.SoftCrossEntropy(m(scale(s, 1/tau)), matched)
	})
}

// Loss is ½·View.Loss(studentViews, teacherViews) + ½·RegionLoss(studentRegions, teacherRegions).
func (e *EsViT) Loss(studentViews, teacherViews []*G.Node, studentRegions, teacherRegions []RegionViews) (*G.Node, error) {
	v, err := e.View.Loss(studentViews, teacherViews)
	if err != nil {
		return nil, err
	}
	r, err := e.RegionLoss(studentRegions, teacherRegions)
	if err != nil {
		return nil, err
	}
	return build("EsViT", func() *G.Node { return m(scale(m(G.Add(v, r)), 0.5)) })
}
