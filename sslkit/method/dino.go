package method

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DINOOptions configure DINO.
type DINOOptions struct {
	Features int
	// Head is the projection head (In is filled from the backbone; paper:
	// Out 65536, hidden 2048, bottleneck 256, 3 layers).
	Head head.DINOConfig
	// GlobalViews is how many of the first views are global crops, the
	// ones the teacher sees (2); the rest are local crops.
	GlobalViews int
	// Loss holds the student temperature, the teacher temperature after
	// warm-up and the centre momentum (paper 0.1, 0.04, 0.9).
	Loss loss.DINOOptions
	// WarmupTeacherTemp and WarmupEpochs: the teacher temperature rises
	// linearly from WarmupTeacherTemp to Loss.TeacherTemp over the first
	// WarmupEpochs epochs (paper 0.04 and 0: no warm-up; 30 epochs towards
	// 0.07 is its recommended longer setting).
	WarmupTeacherTemp float64
	WarmupEpochs      int
	// Momentum is the teacher's base EMA momentum, raised to 1 by a cosine
	// (paper 0.996).
	Momentum float64
	Seed     int64
}

// DefaultDINOOptions are DINO's defaults (main_dino.py).
func DefaultDINOOptions() DINOOptions {
	return DINOOptions{
		Head:              head.DefaultDINOConfig(0, 65536), // In is set from the backbone
		GlobalViews:       2,
		Loss:              loss.DefaultDINOOptions(),
		WarmupTeacherTemp: 0.04, Momentum: 0.996, Seed: 1,
	}
}

func (o DINOOptions) check(name string) error {
	if o.GlobalViews < 1 {
		return fmt.Errorf("method %s: GlobalViews must be ≥ 1, got %d", name, o.GlobalViews)
	}
	if !(o.Momentum >= 0 && o.Momentum <= 1) {
		return fmt.Errorf("method %s: momentum %g outside [0, 1]", name, o.Momentum)
	}
	if o.WarmupEpochs > 0 && !(o.WarmupTeacherTemp > 0) {
		return fmt.Errorf("method %s: warm-up teacher temperature %g must be positive", name, o.WarmupTeacherTemp)
	}
	return nil
}

// teacherTemp is the schedule's temperature in epoch.
func (o DINOOptions) teacherTemp(epoch int) float64 {
	if o.WarmupEpochs <= 0 {
		return o.Loss.TeacherTemp
	}
	return loss.TeacherTempAt(epoch, o.WarmupEpochs, o.WarmupTeacherTemp, o.Loss.TeacherTemp)
}

// newDINOHead builds a head whose tensors are prefixed (NewDINOHead names
// them "mlp.*" and "last_layer.*", which two heads would share).
func newDINOHead(prefix string, cfg head.DINOConfig, in int, rng *rand.Rand) (*head.DINOHead, error) {
	cfg.In = in
	h, err := head.NewDINOHead(cfg, rng)
	if err != nil {
		return nil, err
	}
	for _, p := range append(append([]*nn.Param{}, h.Params()...), nn.Buffers(h)...) {
		p.Name = prefix + p.Name
	}
	return h, nil
}

// liveTensor is the tensor a loss binds to its graph inputs (DINO's centre),
// wrapped as a named tensor for checkpoints.
func liveTensor(name string, n *G.Node) (*nn.Param, error) {
	t, ok := n.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("method: %s is a %T", name, n.Value())
	}
	return nn.NewParam(name, t), nil
}

// DINO is Caron et al. 2021: a student matches a momentum teacher's
// centred, sharpened output across multi-crop views.
type DINO struct {
	base
	Options DINOOptions
	teacher nn.Module
	loss    *loss.DINO
}

// Teacher is the momentum teacher (tensors prefixed "teacher.").
func (m *DINO) Teacher() nn.Module { return m.teacher }

// Loss is the loss object with its live centre and teacher temperature.
func (m *DINO) Loss() *loss.DINO { return m.loss }

// NewDINO builds DINO on bb.
func NewDINO(bb nn.Module, opt DINOOptions) (*DINO, error) {
	if err := opt.check("DINO"); err != nil {
		return nil, err
	}
	b, err := newBase("DINO", bb, opt.Features, func(in int) (nn.Module, error) {
		return newDINOHead("head.", opt.Head, in, rand.New(rand.NewSource(opt.Seed)))
	})
	if err != nil {
		return nil, err
	}
	m := &DINO{base: *b, Options: opt}
	if m.teacher, err = Clone(m.encoder, "teacher."); err != nil {
		return nil, err
	}
	out := m.encoder.Modules[1].(*head.DINOHead).Config.Out
	lo := opt.Loss
	lo.TeacherTemp = opt.teacherTemp(0)
	if m.loss, err = loss.NewDINO(out, tensor.Float32, lo); err != nil {
		return nil, err
	}
	centre, err := liveTensor("center", m.loss.CentreNode(G.NewGraph(), "center"))
	if err != nil {
		return nil, err
	}
	return m, m.finish([]*nn.Param{centre}, m.teacher)
}

// BuildLoss is the DINO loss of the student on every view against the
// teacher on the first GlobalViews views; it keeps the teacher's outputs
// ("teacher0", …) for the centre update.
func (m *DINO) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, err
	}
	if len(views) < m.Options.GlobalViews {
		return nil, fmt.Errorf("method DINO: %d views, fewer than the %d global ones", len(views), m.Options.GlobalViews)
	}
	m.setTraining()
	nn.SetTraining(m.teacher, true)
	s, err := forwardAll(m.encoder, views)
	if err != nil {
		return nil, err
	}
	t, err := forwardAll(m.teacher, views[:m.Options.GlobalViews])
	if err != nil {
		return nil, err
	}
	l, err := m.loss.Loss(s, t)
	if err != nil {
		return nil, err
	}
	st, err := NewStep(l, views)
	if err != nil {
		return nil, err
	}
	return st, keepAll(st, "teacher", t)
}

func keepAll(st *Step, prefix string, ns []*G.Node) error {
	for i, n := range ns {
		if err := st.Keep(fmt.Sprintf("%s%d", prefix, i), n); err != nil {
			return err
		}
	}
	return nil
}

func valuesOf(st *Step, prefix string, n int) ([]G.Value, error) {
	out := make([]G.Value, n)
	for i := range out {
		if out[i] = st.Value(fmt.Sprintf("%s%d", prefix, i)); out[i] == nil {
			return nil, fmt.Errorf("method: no %s%d after the run", prefix, i)
		}
	}
	return out, nil
}

// BeforeStep sets the teacher temperature of this epoch.
func (m *DINO) BeforeStep(at Position) error {
	return m.loss.SetTeacherTemp(m.Options.teacherTemp(at.Epoch))
}

// AfterStep moves the teacher towards the student (cosine momentum) and
// folds the step's teacher outputs into the centre.
func (m *DINO) AfterStep(st *Step, at Position) error {
	if err := EMA(m.teacher, m.encoder, CosineMomentum(m.Options.Momentum, at.Step, at.Steps)); err != nil {
		return err
	}
	vs, err := valuesOf(st, "teacher", m.Options.GlobalViews)
	if err != nil {
		return err
	}
	return m.loss.UpdateCentre(vs...)
}

// EsViTOptions configure EsViT.
type EsViTOptions struct {
	DINOOptions
	// RegionHead is the head applied to every patch token (EsViT uses a
	// second DINO head; In is filled from the backbone).
	RegionHead head.DINOConfig
	// NoRegion drops the region-matching term (the ablation: plain DINO
	// on the multi-stage ViT).
	NoRegion bool
}

// DefaultEsViTOptions are DINO's defaults with a region head like the view head.
func DefaultEsViTOptions() EsViTOptions {
	d := DefaultDINOOptions()
	return EsViTOptions{DINOOptions: d, RegionHead: d.Head}
}

// esvitNet is EsViT's student (or teacher): the ViT, the view head on the
// pooled feature and the region head on the patch tokens.
type esvitNet struct {
	ViT    *backbone.ViT
	View   *head.DINOHead
	Region *head.DINOHead
}

func (e *esvitNet) Children() []nn.Module { return []nn.Module{e.ViT, e.View, e.Region} }
func (e *esvitNet) Params() []*nn.Param   { return paramsOf(e.ViT, e.View, e.Region) }
func (e *esvitNet) Forward(x *G.Node) (*G.Node, error) {
	y, err := e.ViT.Forward(x)
	if err != nil {
		return nil, err
	}
	return e.View.Forward(y)
}

// views returns the view logits and the region views of every image batch.
func (e *esvitNet) views(xs []*G.Node) ([]*G.Node, []loss.RegionViews, error) {
	vl := make([]*G.Node, len(xs))
	rv := make([]loss.RegionViews, len(xs))
	for i, x := range xs {
		pooled, tokens, err := e.ViT.ForwardTokens(x)
		if err != nil {
			return nil, nil, err
		}
		if vl[i], err = e.View.Forward(pooled); err != nil {
			return nil, nil, err
		}
		rl, err := e.Region.Forward(tokens)
		if err != nil {
			return nil, nil, err
		}
		rv[i] = loss.RegionViews{Logits: rl, Features: tokens}
	}
	return vl, rv, nil
}

// EsViT is Li et al. 2022: DINO on a multi-stage ViT plus a region term
// that matches each student patch to its most similar teacher patch.
// The backbone must be a *backbone.ViT; every view must have the ViT's
// image size.
type EsViT struct {
	base
	Options EsViTOptions
	student *esvitNet
	teacher *esvitNet
	loss    *loss.EsViT
}

// Teacher is the momentum teacher (ViT and both heads, prefixed "teacher.").
func (m *EsViT) Teacher() nn.Module { return m.teacher }

// Loss is the loss object with its two live centres.
func (m *EsViT) Loss() *loss.EsViT { return m.loss }

// NewEsViT builds EsViT on a multi-stage ViT.
func NewEsViT(vit *backbone.ViT, opt EsViTOptions) (*EsViT, error) {
	if vit == nil {
		return nil, fmt.Errorf("method EsViT: nil backbone")
	}
	if err := opt.check("EsViT"); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(opt.Seed))
	view, err := newDINOHead("head.", opt.Head, vit.OutDim, rng)
	if err != nil {
		return nil, fmt.Errorf("method EsViT: %w", err)
	}
	region, err := newDINOHead("region_head.", opt.RegionHead, vit.OutDim, rng)
	if err != nil {
		return nil, fmt.Errorf("method EsViT: %w", err)
	}
	st := &esvitNet{ViT: vit, View: view, Region: region}
	m := &EsViT{Options: opt, student: st}
	m.base = base{name: "EsViT", backbone: vit, encoder: nn.NewSequential(vit, view), trainable: []nn.Module{st}}
	if opt.NoRegion {
		m.name = "EsViT (no region term)"
		m.trainable = []nn.Module{vit, view} // the region head would get no gradient
	}
	tc, err := Clone(st, "teacher.")
	if err != nil {
		return nil, err
	}
	m.teacher = tc.(*esvitNet)
	lo := opt.Loss
	lo.TeacherTemp = opt.teacherTemp(0)
	if m.loss, err = loss.NewEsViT(view.Config.Out, region.Config.Out, tensor.Float32, lo); err != nil {
		return nil, err
	}
	vc, err := liveTensor("center", m.loss.View.CentreNode(G.NewGraph(), "center"))
	if err != nil {
		return nil, err
	}
	rc, err := liveTensor("region_center", m.loss.Region.CentreNode(G.NewGraph(), "region_center"))
	if err != nil {
		return nil, err
	}
	return m, m.finish([]*nn.Param{vc, rc}, st, m.teacher)
}

// BuildLoss is loss.EsViT's ½ view + ½ region loss (the view loss alone
// with NoRegion); it keeps the teacher's view and region logits.
func (m *EsViT) BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error) {
	if err := checkViews(m.name, views, 2); err != nil {
		return nil, err
	}
	ng := m.Options.GlobalViews
	if len(views) < ng {
		return nil, fmt.Errorf("method EsViT: %d views, fewer than the %d global ones", len(views), ng)
	}
	nn.SetTraining(m.student, true)
	nn.SetTraining(m.teacher, true)
	sv, sr, err := m.student.views(views)
	if err != nil {
		return nil, err
	}
	tv, tr, err := m.teacher.views(views[:ng])
	if err != nil {
		return nil, err
	}
	var l *G.Node
	if m.Options.NoRegion {
		l, err = m.loss.View.Loss(sv, tv)
	} else {
		l, err = m.loss.Loss(sv, tv, sr, tr)
	}
	if err != nil {
		return nil, err
	}
	st, err := NewStep(l, views)
	if err != nil {
		return nil, err
	}
	if err := keepAll(st, "teacher", tv); err != nil {
		return nil, err
	}
	if m.Options.NoRegion {
		return st, nil
	}
	rl := make([]*G.Node, ng)
	for i, r := range tr {
		rl[i] = r.Logits
	}
	return st, keepAll(st, "teacher_region", rl)
}

// BeforeStep sets the teacher temperature of this epoch.
func (m *EsViT) BeforeStep(at Position) error {
	t := m.Options.teacherTemp(at.Epoch)
	if err := m.loss.View.SetTeacherTemp(t); err != nil {
		return err
	}
	return m.loss.Region.SetTeacherTemp(t)
}

// AfterStep moves the teacher towards the student and updates both centres.
func (m *EsViT) AfterStep(st *Step, at Position) error {
	mo := CosineMomentum(m.Options.Momentum, at.Step, at.Steps)
	if err := EMA(m.teacher, m.student, mo); err != nil {
		return err
	}
	vs, err := valuesOf(st, "teacher", m.Options.GlobalViews)
	if err != nil {
		return err
	}
	if err := m.loss.View.UpdateCentre(vs...); err != nil {
		return err
	}
	if m.Options.NoRegion {
		return nil
	}
	rs, err := valuesOf(st, "teacher_region", m.Options.GlobalViews)
	if err != nil {
		return err
	}
	return m.loss.Region.UpdateCentre(rs...)
}
