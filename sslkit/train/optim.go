package train

import (
	"fmt"
	"math"
	"sort"

	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// Group is a set of parameters that share optimizer settings, like a
// PyTorch parameter group.
type Group struct {
	Params      []*nn.Param
	WeightDecay float64
	// ExcludeLARS exempts the group from LARS' layer-wise trust ratio (and
	// from its weight decay), as solo-learn's exclude_bias_n_norm does for
	// biases and normalisation parameters. SGD and AdamW ignore it.
	ExcludeLARS bool
}

// Groups splits params the usual way: weights (two or more dimensions)
// decay by weightDecay; biases and normalisation parameters (one
// dimension) neither decay nor take part in LARS' trust ratio.
func Groups(params []*nn.Param, weightDecay float64) []Group {
	var w, b []*nn.Param
	for _, p := range params {
		if p.Value.Dims() >= 2 {
			w = append(w, p)
		} else {
			b = append(b, p)
		}
	}
	var out []Group
	if len(w) > 0 {
		out = append(out, Group{Params: w, WeightDecay: weightDecay})
	}
	if len(b) > 0 {
		out = append(out, Group{Params: b, ExcludeLARS: true})
	}
	return out
}

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Name is the optimizer and its settings, for logs.
	Name() string
	// LR is the base learning rate, which a Schedule scales.
	LR() float64
	// Groups are the parameter groups.
	Groups() []Group
	// Step applies one update at learning rate lr. grads maps each
	// parameter to its gradient (same length); parameters without one are
	// left alone, as PyTorch skips p.grad = None.
	Step(lr float64, grads map[*nn.Param][]float32) error
	// State is the optimizer's per-parameter state as named tensors
	// ("<param>.momentum_buffer", "<param>.exp_avg", …) for checkpoints;
	// LoadState restores it.
	State() map[string]*tensor.Dense
	LoadState(map[string]*tensor.Dense) error
}

// rule is one optimizer's update of a parameter; slots gives (and creates
// on first use) its named state buffers.
type rule func(p, g []float32, grp Group, lr float64, slots func(name string) ([]float32, bool)) error

// optimizer holds what the three optimizers share: groups, per-parameter
// state and the checkpoint format of that state.
type optimizer struct {
	name   string
	lr     float64
	groups []Group
	state  map[*nn.Param]map[string]*tensor.Dense
	update rule
}

func newOptimizer(name string, lr float64, groups []Group, update rule) (*optimizer, error) {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return nil, fmt.Errorf("train: %s: learning rate %g must be ≥ 0", name, lr)
	}
	seen := map[*nn.Param]bool{}
	names := map[string]bool{}
	for gi, g := range groups {
		if !(g.WeightDecay >= 0) {
			return nil, fmt.Errorf("train: %s: group %d: weight decay %g must be ≥ 0", name, gi, g.WeightDecay)
		}
		for _, p := range g.Params {
			if p == nil {
				return nil, fmt.Errorf("train: %s: group %d holds a nil parameter", name, gi)
			}
			if seen[p] {
				return nil, fmt.Errorf("train: %s: parameter %q is in two groups", name, p.Name)
			}
			if names[p.Name] {
				return nil, fmt.Errorf("train: %s: two parameters are named %q", name, p.Name)
			}
			seen[p], names[p.Name] = true, true
		}
	}
	return &optimizer{name: name, lr: lr, groups: groups, state: map[*nn.Param]map[string]*tensor.Dense{}, update: update}, nil
}

func (o *optimizer) Name() string    { return o.name }
func (o *optimizer) LR() float64     { return o.lr }
func (o *optimizer) Groups() []Group { return o.groups }

func (o *optimizer) Step(lr float64, grads map[*nn.Param][]float32) error {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("train: %s: learning rate %g must be ≥ 0", o.name, lr)
	}
	for _, grp := range o.groups {
		for _, p := range grp.Params {
			g, ok := grads[p]
			if !ok || g == nil {
				continue
			}
			if len(g) != p.Size() {
				return fmt.Errorf("train: %s: gradient of %s has %d elements, the parameter %d", o.name, p.Name, len(g), p.Size())
			}
			slots := func(name string) ([]float32, bool) {
				st := o.state[p]
				if st == nil {
					st = map[string]*tensor.Dense{}
					o.state[p] = st
				}
				if t, ok := st[name]; ok {
					return t.Data().([]float32), true
				}
				size := p.Size()
				if name == "step" {
					size = 1
				}
				t := tensor.New(tensor.WithShape(slotShape(p, name)...), tensor.WithBacking(make([]float32, size)))
				st[name] = t
				return t.Data().([]float32), false
			}
			if err := o.update(p.Data(), g, grp, lr, slots); err != nil {
				return fmt.Errorf("train: %s: %s: %w", o.name, p.Name, err)
			}
		}
	}
	return nil
}

func slotShape(p *nn.Param, name string) []int {
	if name == "step" {
		return []int{1}
	}
	return p.Value.Shape().Clone()
}

func (o *optimizer) params() []*nn.Param {
	var out []*nn.Param
	for _, g := range o.groups {
		out = append(out, g.Params...)
	}
	return out
}

func (o *optimizer) State() map[string]*tensor.Dense {
	out := map[string]*tensor.Dense{}
	for p, st := range o.state {
		for name, t := range st {
			out[p.Name+"."+name] = t.Clone().(*tensor.Dense)
		}
	}
	return out
}

func (o *optimizer) LoadState(in map[string]*tensor.Dense) error {
	byName := map[string]*nn.Param{}
	for _, p := range o.params() {
		byName[p.Name] = p
	}
	state := map[*nn.Param]map[string]*tensor.Dense{}
	var keys []string
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := in[k]
		dot := -1
		for i := len(k) - 1; i >= 0; i-- {
			if k[i] == '.' {
				dot = i
				break
			}
		}
		if dot < 0 {
			return fmt.Errorf("train: %s: optimizer state %q names no parameter", o.name, k)
		}
		p, ok := byName[k[:dot]]
		if !ok {
			return fmt.Errorf("train: %s: optimizer state %q belongs to no parameter of this optimizer", o.name, k)
		}
		want := tensor.Shape(slotShape(p, k[dot+1:]))
		if !t.Shape().Eq(want) || t.Dtype() != tensor.Float32 {
			return fmt.Errorf("train: %s: optimizer state %q is %v %v, want %v float32", o.name, k, t.Shape(), t.Dtype(), want)
		}
		if state[p] == nil {
			state[p] = map[string]*tensor.Dense{}
		}
		state[p][k[dot+1:]] = t.Clone().(*tensor.Dense)
	}
	o.state = state
	return nil
}

// momentumStep is SGD's momentum part, shared with LARS (PyTorch 1.13):
// buf ← d on the first step, else μ·buf + (1−dampening)·d; then d + μ·buf
// (Nesterov) or buf is the direction, and p ← p − lr·direction.
func momentumStep(p, d []float32, lr, mu, dampening float64, nesterov bool, slots func(string) ([]float32, bool)) {
	if mu == 0 {
		a := float32(-lr)
		for i := range p {
			p[i] += a * d[i]
		}
		return
	}
	buf, had := slots("momentum_buffer")
	m, keep := float32(mu), float32(1-dampening)
	a := float32(-lr)
	for i := range p {
		if had {
			buf[i] = buf[i]*m + keep*d[i]
		} else {
			buf[i] = d[i]
		}
		dir := buf[i]
		if nesterov {
			dir = d[i] + m*buf[i]
		}
		p[i] += a * dir
	}
}

// SGDOptions configure SGD.
type SGDOptions struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
}

// DefaultSGDOptions are lightly's SimCLR example settings: lr 0.06,
// momentum 0.9, weight decay 5e-4.
func DefaultSGDOptions() SGDOptions { return SGDOptions{LR: 0.06, Momentum: 0.9, WeightDecay: 5e-4} }

// SGD is torch.optim.SGD (1.13): weight decay added to the gradient, then
// momentum with optional dampening and Nesterov.
type SGD struct{ *optimizer }

// NewSGD makes SGD over params, grouped by Groups(params, opt.WeightDecay).
func NewSGD(params []*nn.Param, opt SGDOptions) (*SGD, error) {
	return NewSGDGroups(Groups(params, opt.WeightDecay), opt)
}

// NewSGDGroups makes SGD over explicit groups (opt.WeightDecay unused).
func NewSGDGroups(groups []Group, opt SGDOptions) (*SGD, error) {
	if opt.Momentum < 0 || opt.Dampening < 0 {
		return nil, fmt.Errorf("train: SGD: momentum %g and dampening %g must be ≥ 0", opt.Momentum, opt.Dampening)
	}
	if opt.Nesterov && (opt.Momentum <= 0 || opt.Dampening != 0) {
		return nil, fmt.Errorf("train: SGD: Nesterov needs momentum > 0 and no dampening")
	}
	name := fmt.Sprintf("SGD(lr %g, momentum %g, weight decay %g", opt.LR, opt.Momentum, opt.WeightDecay)
	if opt.Nesterov {
		name += ", Nesterov"
	}
	o, err := newOptimizer(name+")", opt.LR, groups, func(p, g []float32, grp Group, lr float64, slots func(string) ([]float32, bool)) error {
		d := g
		if grp.WeightDecay != 0 {
			d = make([]float32, len(g))
			wd := float32(grp.WeightDecay)
			for i := range d {
				d[i] = g[i] + wd*p[i]
			}
		}
		momentumStep(p, d, lr, opt.Momentum, opt.Dampening, opt.Nesterov, slots)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SGD{o}, nil
}

// AdamWOptions configure AdamW.
type AdamWOptions struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
}

// DefaultAdamWOptions are PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
// weight decay 0.01.
func DefaultAdamWOptions() AdamWOptions {
	return AdamWOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
}

// AdamW is torch.optim.AdamW (1.13): decoupled weight decay
// p ← p·(1 − lr·wd), then Adam's bias-corrected step.
type AdamW struct{ *optimizer }

// NewAdamW makes AdamW over params, grouped by Groups(params, opt.WeightDecay).
func NewAdamW(params []*nn.Param, opt AdamWOptions) (*AdamW, error) {
	return NewAdamWGroups(Groups(params, opt.WeightDecay), opt)
}

// NewAdamWGroups makes AdamW over explicit groups (opt.WeightDecay unused).
func NewAdamWGroups(groups []Group, opt AdamWOptions) (*AdamW, error) {
	if !(opt.Beta1 >= 0 && opt.Beta1 < 1 && opt.Beta2 >= 0 && opt.Beta2 < 1) {
		return nil, fmt.Errorf("train: AdamW: betas (%g, %g) must be in [0, 1)", opt.Beta1, opt.Beta2)
	}
	if !(opt.Eps >= 0) {
		return nil, fmt.Errorf("train: AdamW: eps %g must be ≥ 0", opt.Eps)
	}
	name := fmt.Sprintf("AdamW(lr %g, betas (%g, %g), eps %g, weight decay %g)", opt.LR, opt.Beta1, opt.Beta2, opt.Eps, opt.WeightDecay)
	o, err := newOptimizer(name, opt.LR, groups, func(p, g []float32, grp Group, lr float64, slots func(string) ([]float32, bool)) error {
		stepT, _ := slots("step")
		stepT[0]++
		step := float64(stepT[0])
		m, _ := slots("exp_avg")
		v, _ := slots("exp_avg_sq")
		decay := float32(1 - lr*grp.WeightDecay)
		b1, b2 := float32(opt.Beta1), float32(opt.Beta2)
		c1, c2 := float32(1-opt.Beta1), float32(1-opt.Beta2)
		stepSize := float32(lr / (1 - math.Pow(opt.Beta1, step)))
		bc2 := float32(math.Sqrt(1 - math.Pow(opt.Beta2, step)))
		eps := float32(opt.Eps)
		for i := range p {
			if grp.WeightDecay != 0 {
				p[i] *= decay
			}
			m[i] = m[i]*b1 + c1*g[i]
			v[i] = v[i]*b2 + c2*g[i]*g[i]
			denom := float32(math.Sqrt(float64(v[i])))/bc2 + eps
			p[i] += -stepSize * (m[i] / denom)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AdamW{o}, nil
}

// LARSOptions configure LARS.
type LARSOptions struct {
	LR, Momentum, Dampening, WeightDecay float64
	Nesterov                             bool
	// Eta is the trust coefficient and Eps guards the ratio's denominator.
	Eta, Eps float64
	// ClipLR caps the layer-wise rate at the global one: lars_lr ←
	// min(lars_lr/lr, 1), as solo-learn's clip_lars_lr.
	ClipLR bool
}

// DefaultLARSOptions are solo-learn's LARS recipe (its BYOL and Barlow
// Twins configs): momentum 0.9, eta 0.02, eps 1e-8, clipped rate, weight
// decay 1e-5; the lr (0.3 at batch 256 there) depends on the batch.
func DefaultLARSOptions() LARSOptions {
	return LARSOptions{LR: 0.3, Momentum: 0.9, WeightDecay: 1e-5, Eta: 0.02, Eps: 1e-8, ClipLR: true}
}

// LARS is solo-learn's LARS (from PyTorch Lightning Bolts): for each
// parameter outside the excluded groups with non-zero norms,
// lars_lr = η·‖p‖/(‖g‖ + wd·‖p‖ + eps) (optionally min(lars_lr/lr, 1)) and
// d = lars_lr·(g + wd·p); excluded parameters use d = g with no decay;
// then SGD's momentum step with d.
type LARS struct{ *optimizer }

// NewLARS makes LARS over params, grouped by Groups(params, opt.WeightDecay)
// (biases and normalisation parameters excluded).
func NewLARS(params []*nn.Param, opt LARSOptions) (*LARS, error) {
	return NewLARSGroups(Groups(params, opt.WeightDecay), opt)
}

// NewLARSGroups makes LARS over explicit groups (opt.WeightDecay unused).
func NewLARSGroups(groups []Group, opt LARSOptions) (*LARS, error) {
	if opt.Momentum < 0 || opt.Dampening < 0 || !(opt.Eta > 0) || !(opt.Eps >= 0) {
		return nil, fmt.Errorf("train: LARS: momentum %g, dampening %g, eta %g, eps %g out of range", opt.Momentum, opt.Dampening, opt.Eta, opt.Eps)
	}
	if opt.Nesterov && (opt.Momentum <= 0 || opt.Dampening != 0) {
		return nil, fmt.Errorf("train: LARS: Nesterov needs momentum > 0 and no dampening")
	}
	name := fmt.Sprintf("LARS(lr %g, momentum %g, weight decay %g, eta %g, clip %v)", opt.LR, opt.Momentum, opt.WeightDecay, opt.Eta, opt.ClipLR)
	o, err := newOptimizer(name, opt.LR, groups, func(p, g []float32, grp Group, lr float64, slots func(string) ([]float32, bool)) error {
		d := g
		if !grp.ExcludeLARS {
			pn, gn := norm32(p), norm32(g)
			if pn != 0 && gn != 0 {
				wd := grp.WeightDecay
				ratio := float32(opt.Eta * float64(pn) / (float64(gn) + float64(pn)*wd + opt.Eps))
				if opt.ClipLR {
					if lr == 0 {
						ratio = 1
					} else {
						ratio = float32(math.Min(float64(ratio)/lr, 1))
					}
				}
				d = make([]float32, len(g))
				w := float32(wd)
				for i := range d {
					d[i] = (g[i] + w*p[i]) * ratio
				}
			}
		}
		momentumStep(p, d, lr, opt.Momentum, opt.Dampening, opt.Nesterov, slots)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &LARS{o}, nil
}

// norm32 is the Euclidean norm, accumulated in float64 and rounded to
// float32 as torch.norm of a float32 tensor returns it.
func norm32(x []float32) float32 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return float32(math.Sqrt(s))
}
