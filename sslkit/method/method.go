package method

import (
	"fmt"
	"math"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Method is a self-supervised method: networks, loss and the bookkeeping
// around each optimizer step.
type Method interface {
	// Name is the method's name as papers write it ("SimCLR", "MoCo v2").
	Name() string
	// Backbone is the student encoder whose features are evaluated.
	Backbone() nn.Module
	// Encoder is the backbone followed by the projector: the embeddings
	// the loss sees (Barlow Twins' cross-correlation, collapse checks).
	Encoder() nn.Module
	// Params are the trainable tensors, in a fixed order.
	Params() []*nn.Param
	// Tensors are every tensor a checkpoint holds (parameters, buffers,
	// teacher, queue, centres), each under a unique name.
	Tensors() []*nn.Param
	// BuildLoss appends the loss for one batch of views (each (N, C, H, W))
	// to g. It sets the training mode of the networks it uses.
	BuildLoss(g *G.ExprGraph, views []*G.Node) (*Step, error)
	// BeforeStep runs before the graph of step at.Step is run.
	BeforeStep(at Position) error
	// AfterStep runs after the optimizer has updated Params with the
	// gradients of the run of s.
	AfterStep(s *Step, at Position) error
}

// Position says where a run is: Step is the 0-based index of the optimizer
// step over the whole run and Steps the planned total (0 when unknown);
// Epoch and Epochs likewise for passes over the data.
type Position struct {
	Step, Steps   int
	Epoch, Epochs int
}

// Step is one batch's loss in a graph and the values read back from it
// after each run (through gorgonia.Read: the tape machine reuses the
// memory of intermediate nodes).
type Step struct {
	// Loss is the scalar cost to differentiate.
	Loss *G.Node
	// Views is the number of views and Batch the images per view.
	Views, Batch int

	names []string // kept values in the order Keep was called
	vals  map[string]*G.Value
	terms []string // kept values that are scalar loss terms (metrics)
}

// NewStep wraps loss, arranging for its value to be read after each run.
func NewStep(loss *G.Node, views []*G.Node) (*Step, error) {
	if loss == nil || !loss.IsScalar() {
		return nil, fmt.Errorf("method: the loss must be a scalar node")
	}
	s := &Step{Loss: loss, Views: len(views), vals: map[string]*G.Value{}}
	if len(views) > 0 {
		s.Batch = views[0].Shape()[0]
	}
	if err := s.Keep("loss", loss); err != nil {
		return nil, err
	}
	return s, nil
}

// Keep arranges for n's value to be readable under name after each run.
func (s *Step) Keep(name string, n *G.Node) error {
	if n == nil {
		return fmt.Errorf("method: Keep(%q): nil node", name)
	}
	if _, dup := s.vals[name]; dup {
		return fmt.Errorf("method: Keep(%q): name already kept", name)
	}
	v := new(G.Value)
	G.Read(n, v)
	s.vals[name] = v
	s.names = append(s.names, name)
	return nil
}

// KeepTerm keeps a scalar part of the loss; Metrics reports it.
func (s *Step) KeepTerm(name string, n *G.Node) error {
	if err := s.Keep(name, n); err != nil {
		return err
	}
	s.terms = append(s.terms, name)
	return nil
}

// Value is the value kept under name by the last run, or nil. It is
// overwritten by the next run: copy what must outlive it.
func (s *Step) Value(name string) G.Value {
	if v, ok := s.vals[name]; ok {
		return *v
	}
	return nil
}

// LossValue is the loss of the last run (NaN before the first).
func (s *Step) LossValue() float64 { return scalarOf(s.Value("loss")) }

// Metrics maps "loss" and every kept term to its value in the last run.
func (s *Step) Metrics() map[string]float64 {
	out := map[string]float64{"loss": s.LossValue()}
	for _, t := range s.terms {
		out[t] = scalarOf(s.Value(t))
	}
	return out
}

func scalarOf(v G.Value) float64 {
	if v == nil {
		return math.NaN()
	}
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	case []float32:
		if len(d) == 1 {
			return float64(d[0])
		}
	case []float64:
		if len(d) == 1 {
			return d[0]
		}
	}
	return math.NaN()
}

// featuresOf is the feature size of a backbone, or want when positive.
func featuresOf(b nn.Module, want int) (int, error) {
	if want > 0 {
		return want, nil
	}
	switch v := b.(type) {
	case *backbone.Net:
		return v.OutDim, nil
	case *backbone.ViT:
		return v.OutDim, nil
	case interface{ OutputSize() int }:
		return v.OutputSize(), nil
	}
	return 0, fmt.Errorf("method: cannot tell the feature size of a %T backbone: set Features in the options", b)
}

// backboneName names a backbone in logs.
func backboneName(b nn.Module) string {
	switch v := b.(type) {
	case *backbone.Net:
		return v.Arch
	case *backbone.ViT:
		return fmt.Sprintf("vit%v", v.Config.Dims)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprintf("%T", b)
}

// BackboneName is how logs name m's backbone ("small-cnn", "resnet18-cifar").
func BackboneName(m Method) string { return backboneName(m.Backbone()) }

// CountParams is the number of trainable scalars of m.
func CountParams(m Method) int {
	n := 0
	for _, p := range m.Params() {
		n += p.Size()
	}
	return n
}

// allTensors lists the parameters and buffers of modules, failing on a
// repeated name: two tensors of one name and shape would be merged into one
// node by gorgonia.
func allTensors(extra []*nn.Param, ms ...nn.Module) ([]*nn.Param, error) {
	var out []*nn.Param
	seen := map[*nn.Param]bool{}
	names := map[string]bool{}
	add := func(p *nn.Param) error {
		if seen[p] {
			return nil
		}
		if names[p.Name] {
			return fmt.Errorf("method: two tensors are named %q (give teachers and heads distinct prefixes)", p.Name)
		}
		seen[p], names[p.Name] = true, true
		out = append(out, p)
		return nil
	}
	for _, m := range ms {
		if m == nil {
			continue
		}
		for _, p := range append(m.Params(), nn.Buffers(m)...) {
			if err := add(p); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range extra {
		if err := add(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// paramsOf concatenates the trainable parameters of modules.
func paramsOf(ms ...nn.Module) []*nn.Param {
	var out []*nn.Param
	for _, m := range ms {
		if m != nil {
			out = append(out, m.Params()...)
		}
	}
	return out
}

// forwardAll applies m to every view.
func forwardAll(m nn.Module, views []*G.Node) ([]*G.Node, error) {
	out := make([]*G.Node, len(views))
	for i, v := range views {
		y, err := m.Forward(v)
		if err != nil {
			return nil, err
		}
		out[i] = y
	}
	return out, nil
}

// checkViews validates the views a method gets: at least min, each
// (N, C, H, W) with one N.
func checkViews(name string, views []*G.Node, min int) error {
	if len(views) < min {
		return fmt.Errorf("method %s: needs at least %d views, got %d", name, min, len(views))
	}
	for i, v := range views {
		if v == nil || v.Dims() != 4 {
			return fmt.Errorf("method %s: view %d is %v, want (N, C, H, W)", name, i, shapeOf(v))
		}
		if v.Shape()[0] != views[0].Shape()[0] {
			return fmt.Errorf("method %s: view %d has %d images, view 0 has %d", name, i, v.Shape()[0], views[0].Shape()[0])
		}
	}
	return nil
}

func shapeOf(n *G.Node) interface{} {
	if n == nil {
		return "nil"
	}
	return n.Shape()
}

// scalarParam is a one-element tensor under name (a queue pointer, a
// step count) so that checkpoints hold it beside the weights.
func scalarParam(name string, v float32) *nn.Param {
	return nn.NewParam(name, tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{v})))
}
