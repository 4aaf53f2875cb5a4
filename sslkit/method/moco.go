package method

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// MoCoOptions configure MoCo v2.
type MoCoOptions struct {
	Features int
	// ProjectorHidden (0: the feature size, as MoCo v2's 2048 → 2048 → 128)
	// and ProjectorOut size the Linear–ReLU–Linear head.
	ProjectorHidden, ProjectorOut int
	// QueueSize is the number of negative keys K (paper 65536).
	QueueSize int
	// Momentum of the key encoder's EMA, constant (paper 0.999).
	Momentum float64
	Loss     loss.InfoNCEOptions
	Seed     int64
}

// DefaultMoCoOptions are MoCo v2's: 128-d keys, K = 65536, m = 0.999, τ = 0.2.
func DefaultMoCoOptions() MoCoOptions {
	return MoCoOptions{ProjectorOut: 128, QueueSize: 65536, Momentum: 0.999,
		Loss: loss.DefaultInfoNCEOptions(), Seed: 1}
}

// MoCo is MoCo v2 (Chen et al. 2020): the query of one view is contrasted
// with the momentum key encoder's key of the other view and a queue of past
// keys. After each step the key encoder follows the query encoder and the
// step's keys are enqueued. (MoCo's shuffling BatchNorm across GPUs has no
// single-process equivalent and is left out.)
type MoCo struct {
	base
	Options MoCoOptions
	key     nn.Module
	queue   *Queue
}

// Key is the momentum key encoder; Queue the negatives.
func (m *MoCo) Key() nn.Module { return m.key }

// Queue is the dictionary of negative keys.
func (m *MoCo) Queue() *Queue { return m.queue }

func newMoCo(name string, bb nn.Module, opt MoCoOptions) (*MoCo, error) {
	b, err := newBase(name, bb, opt.Features, func(in int) (nn.Module, error) {
		hidden := opt.ProjectorHidden
		if hidden == 0 {
			hidden = in
		}
		if err := positive(name, "ProjectorOut", opt.ProjectorOut); err != nil {
			return nil, err
		}
		return head.MoCoV2Projector("projector", in, hidden, opt.ProjectorOut, rand.New(rand.NewSource(opt.Seed)))
	})
	if err != nil {
		return nil, err
	}
	if !(opt.Momentum >= 0 && opt.Momentum <= 1) {
		return nil, fmt.Errorf("method %s: momentum %g outside [0, 1]", name, opt.Momentum)
	}
	m := &MoCo{base: *b, Options: opt}
	if m.key, err = Clone(m.encoder, "key."); err != nil {
		return nil, err
	}
	if m.queue, err = NewQueue("", opt.QueueSize, opt.ProjectorOut, opt.Seed); err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	return m, nil
}

// NewMoCo builds MoCo v2 on bb; the key encoder is a Clone of the query
// encoder (tensors prefixed "key.").
func NewMoCo(bb nn.Module, opt MoCoOptions) (*MoCo, error) {
	m, err := newMoCo("MoCo v2", bb, opt)
	if err != nil {
		return nil, err
	}
	return m, m.finish([]*nn.Param{m.queue.Keys, m.queue.Ptr}, m.key)
}

// queryKey returns q = encoder(views[0]) and k = key(views[1]).
func (m *MoCo) queryKey(views []*G.Node) (q, k *G.Node, err error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, nil, err
	}
	if n := views[0].Shape()[0]; n > m.queue.Size() {
		return nil, nil, fmt.Errorf("method %s: batch %d is larger than the queue (%d)", m.name, n, m.queue.Size())
	}
	m.setTraining()
	nn.SetTraining(m.key, true)
	if q, err = m.encoder.Forward(views[0]); err != nil {
		return nil, nil, err
	}
	k, err = m.key.Forward(views[1])
	return q, k, err
}

// BuildLoss is loss.InfoNCE(q, k, queue); it keeps the keys as "keys".
func (m *MoCo) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	q, k, err := m.queryKey(views)
	if err != nil {
		return nil, err
	}
	l, err := loss.InfoNCE(q, k, m.queue.Node(g), m.Options.Loss)
	if err != nil {
		return nil, err
	}
	s, err := NewStep(l, views)
	if err != nil {
		return nil, err
	}
	return s, s.Keep("keys", k)
}

// AfterStep moves the key encoder towards the query encoder, then
// enqueues the step's keys.
func (m *MoCo) AfterStep(s *Step, _ Position) error {
	if err := EMA(m.key, m.encoder, m.Options.Momentum); err != nil {
		return err
	}
	return m.queue.Enqueue(s.Value("keys"))
}

// DisCoOptions configure DisCo.
type DisCoOptions struct {
	// Student is the MoCo v2 student; DisCo widens its projector's hidden
	// layer to 2048 (the "distilling bottleneck").
	Student MoCoOptions
	Loss    loss.DisCoOptions
}

// DefaultDisCoOptions are the released code's: MoCo v2 with a 2048-wide
// hidden layer, InfoNCE τ = 0.2, unit-weight squared-error distillation on
// both views (loss.DefaultDisCoOptions).
func DefaultDisCoOptions() DisCoOptions {
	s := DefaultMoCoOptions()
	s.ProjectorHidden = 2048
	return DisCoOptions{Student: s, Loss: loss.DefaultDisCoOptions()}
}

// DisCo is Gao et al. 2022: a MoCo v2 student whose embeddings are also
// pulled to those of a frozen, already trained teacher.
type DisCo struct {
	MoCo
	Options DisCoOptions
	teacher nn.Module
}

// Teacher is the frozen teacher (a Clone, tensors prefixed "teacher.").
func (m *DisCo) Teacher() nn.Module { return m.teacher }

// NewDisCo builds DisCo: student backbone bb and a trained teacher that
// maps images to embeddings of the student's ProjectorOut size — a trained
// method's Encoder(), or a backbone and head in an nn.Sequential. The
// teacher is copied and stays frozen (evaluation mode, no gradient).
func NewDisCo(bb nn.Module, teacher nn.Module, opt DisCoOptions) (*DisCo, error) {
	mo, err := newMoCo("DisCo", bb, opt.Student)
	if err != nil {
		return nil, err
	}
	m := &DisCo{MoCo: *mo, Options: opt}
	if m.teacher, err = frozenTeacher("DisCo", teacher); err != nil {
		return nil, err
	}
	return m, m.finish([]*nn.Param{m.queue.Keys, m.queue.Ptr}, m.key, m.teacher)
}

// BuildLoss is loss.DisCo(q, k, queue, teacher(view1), encoder(view2),
// teacher(view2)).
func (m *DisCo) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	q, k, err := m.queryKey(views)
	if err != nil {
		return nil, err
	}
	sk, err := m.encoder.Forward(views[1])
	if err != nil {
		return nil, err
	}
	nn.SetTraining(m.teacher, false)
	t, err := forwardAll(m.teacher, views[:2])
	if err != nil {
		return nil, fmt.Errorf("method DisCo: teacher: %w", err)
	}
	l, err := loss.DisCo(q, k, m.queue.Node(g), t[0], sk, t[1], m.Options.Loss)
	if err != nil {
		return nil, err
	}
	s, err := NewStep(l, views)
	if err != nil {
		return nil, err
	}
	return s, s.Keep("keys", k)
}

// frozenTeacher copies a trained teacher under the "teacher." prefix.
func frozenTeacher(name string, teacher nn.Module) (nn.Module, error) {
	if teacher == nil {
		return nil, fmt.Errorf("method %s: nil teacher", name)
	}
	t, err := Clone(teacher, "teacher.")
	if err != nil {
		return nil, fmt.Errorf("method %s: teacher: %w", name, err)
	}
	nn.SetTraining(t, false)
	return t, nil
}
