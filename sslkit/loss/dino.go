package loss

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DINOOptions configures DINO (and EsViT). Start from DefaultDINOOptions
// and change the fields you need; every field is used as given
// (CentreMomentum 0 replaces the centre by each step's mean).
type DINOOptions struct {
	// StudentTemp > 0. Default 0.1, DINO's (facebookresearch/dino
	// main_dino.py, DINOLoss student_temp).
	StudentTemp float64
	// TeacherTemp > 0. Default 0.04, main_dino.py's --warmup_teacher_temp
	// and --teacher_temp default (the paper warms it up to 0.07 with
	// TeacherTempAt). It is read when the graph runs, so SetTeacherTemp
	// changes it between steps without a rebuild.
	TeacherTemp float64
	// CentreMomentum m ∈ [0, 1] of the centre update
	// c ← m·c + (1−m)·mean(teacher). Default 0.9, main_dino.py's
	// center_momentum.
	CentreMomentum float64
}

// DefaultDINOOptions returns DINO's settings: student τ 0.1, teacher τ
// 0.04, centre momentum 0.9.
func DefaultDINOOptions() DINOOptions {
	return DINOOptions{StudentTemp: 0.1, TeacherTemp: 0.04, CentreMomentum: 0.9}
}

// DINO holds DINO's loss settings and its running centre of teacher
// outputs, a 1×K tensor that graphs read through CentreNode.
type DINO struct {
	opt    DINOOptions
	dim    int
	centre *tensor.Dense
	temp   *tensor.Dense // one element: the live teacher temperature
}

// NewDINO returns a DINO loss for K = dim output dimensions with a zero
// centre.
func NewDINO(dim int, dt tensor.Dtype, opt DINOOptions) (*DINO, error) {
	if dim < 1 {
		return nil, fmt.Errorf("loss.NewDINO: dim %d must be positive", dim)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("loss.NewDINO: dtype %v, want Float32 or Float64", dt)
	}
	const ctor = "DefaultDINOOptions"
	if err := positive("NewDINO", "StudentTemp", ctor, opt.StudentTemp); err != nil {
		return nil, err
	}
	if err := positive("NewDINO", "TeacherTemp", ctor, opt.TeacherTemp); err != nil {
		return nil, err
	}
	if !(opt.CentreMomentum >= 0 && opt.CentreMomentum <= 1) {
		return nil, fmt.Errorf("loss.NewDINO: CentreMomentum %g outside [0, 1] (start from loss.%s())", opt.CentreMomentum, ctor)
	}
	d := &DINO{opt: opt, dim: dim, centre: tensor.New(tensor.Of(dt), tensor.WithShape(1, dim)),
		temp: tensor.New(tensor.Of(dt), tensor.WithShape(1))}
	d.setTemp(opt.TeacherTemp)
	return d, nil
}

func (d *DINO) setTemp(t float64) {
	switch v := d.temp.Data().(type) {
	case []float32:
		v[0] = float32(t)
	case []float64:
		v[0] = t
	}
	d.opt.TeacherTemp = t
}

// SetTeacherTemp changes the teacher temperature used by graphs already
// built (DINO warms it up over the first epochs; see TeacherTempAt).
func (d *DINO) SetTeacherTemp(t float64) error {
	if !(t > 0) {
		return fmt.Errorf("loss.DINO.SetTeacherTemp: temperature %g must be positive", t)
	}
	d.setTemp(t)
	return nil
}

// TeacherTempAt is DINO's teacher-temperature schedule: linear from
// warmupTemp to temp over the first warmupEpochs epochs (both ends
// included, like np.linspace), then temp.
func TeacherTempAt(epoch, warmupEpochs int, warmupTemp, temp float64) float64 {
	if epoch >= warmupEpochs || warmupEpochs <= 1 {
		if epoch < warmupEpochs {
			return warmupTemp
		}
		return temp
	}
	if epoch < 0 {
		epoch = 0
	}
	return warmupTemp + (temp-warmupTemp)*float64(epoch)/float64(warmupEpochs-1)
}

// Options returns the settings in use (TeacherTemp as last set).
func (d *DINO) Options() DINOOptions { return d.opt }

// Centre returns a copy of the current centre.
func (d *DINO) Centre() []float64 {
	out := make([]float64, d.dim)
	switch c := d.centre.Data().(type) {
	case []float32:
		for i, v := range c {
			out[i] = float64(v)
		}
	case []float64:
		copy(out, c)
	}
	return out
}

// CentreNode returns a graph input bound to the live centre.
func (d *DINO) CentreNode(g *G.ExprGraph, name string) *G.Node {
	return G.NewTensor(g, d.centre.Dtype(), 2, G.WithShape(1, d.dim), G.WithName(name), G.WithValue(d.centre))
}

// Loss is DINO's cross-view loss: for every teacher view iq (the global
// crops, B×K logits) and every student view v ≠ iq (all crops, student[i]
// being the same crop as teacher[i]),
//
//	−Σ_c softmax((t_iq − c)/τ_t)_c · log_softmax(s_v/τ_s)_c,
//
// averaged over the batch and then over the pairs. The teacher is detached.
func (d *DINO) Loss(student, teacher []*G.Node) (*G.Node, error) {
	if len(student) == 0 || len(teacher) == 0 {
		return nil, fmt.Errorf("loss.DINO: need student and teacher views")
	}
	for _, n := range append(append([]*G.Node{}, student...), teacher...) {
		if err := checkEmb("DINO", n); err != nil {
			return nil, err
		}
		if n.Shape()[1] != d.dim || n.Dtype() != d.centre.Dtype() {
			return nil, fmt.Errorf("loss.DINO: view %v %v, want B×%d %v", n.Shape(), n.Dtype(), d.dim, d.centre.Dtype())
		}
	}
	return d.crossView("DINO", student, teacher, func(s, q *G.Node, _, _ int) (*G.Node, error) {
		return ops.SoftCrossEntropy(m(scale(s, 1/d.opt.StudentTemp)), q)
	})
}

// crossView sums term(student v, teacher probabilities iq) over the pairs
// v ≠ iq and divides by their number.
func (d *DINO) crossView(what string, student, teacher []*G.Node, term func(s, q *G.Node, v, iq int) (*G.Node, error)) (*G.Node, error) {
	if len(student) < 2 && len(teacher) == 1 {
		return nil, fmt.Errorf("loss.%s: one view gives no pair of different views", what)
	}
	return build(what, func() *G.Node {
		g := student[0].Graph()
		centre := d.CentreNode(g, fmt.Sprintf("%s_centre_%p", what, d))
		temp := G.NewTensor(g, d.temp.Dtype(), 1, G.WithShape(1), G.WithName(fmt.Sprintf("%s_teacher_temp_%p", what, d)), G.WithValue(d.temp))
		var total *G.Node
		pairs := 0
		for iq, t := range teacher {
			q := m(ops.CentredSoftmaxT(m(ops.StopGradient(t)), centre, temp))
			for v, s := range student {
				if v == iq {
					continue
				}
				l := m(term(s, q, v, iq))
				if total == nil {
					total = l
				} else {
					total = m(G.Add(total, l))
				}
				pairs++
			}
		}
		return m(scale(total, 1/float64(pairs)))
	})
}

// UpdateCentre folds the teacher outputs of the step just run (values with
// last axis K, e.g. each global view's B×K logits) into the centre:
// c ← m·c + (1−m)·mean over all rows.
func (d *DINO) UpdateCentre(teacher ...G.Value) error {
	mean := make([]float64, d.dim)
	rows := 0
	for _, v := range teacher {
		if v == nil {
			return fmt.Errorf("loss.DINO.UpdateCentre: nil value")
		}
		s := v.Shape()
		if s.Dims() == 0 || s[s.Dims()-1] != d.dim {
			return fmt.Errorf("loss.DINO.UpdateCentre: value of shape %v, want last axis %d", s, d.dim)
		}
		switch data := v.Data().(type) {
		case []float32:
			for i, x := range data {
				mean[i%d.dim] += float64(x)
			}
			rows += len(data) / d.dim
		case []float64:
			for i, x := range data {
				mean[i%d.dim] += x
			}
			rows += len(data) / d.dim
		default:
			return fmt.Errorf("loss.DINO.UpdateCentre: values of type %T", v.Data())
		}
	}
	if rows == 0 {
		return fmt.Errorf("loss.DINO.UpdateCentre: no teacher outputs")
	}
	mo := d.opt.CentreMomentum
	switch c := d.centre.Data().(type) {
	case []float32:
		for i := range c {
			c[i] = float32(mo*float64(c[i]) + (1-mo)*mean[i]/float64(rows))
		}
	case []float64:
		for i := range c {
			c[i] = mo*c[i] + (1-mo)*mean[i]/float64(rows)
		}
	}
	return nil
}
