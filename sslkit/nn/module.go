package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Module is a layer or a network. Forward appends the module's computation
// to the graph of x and returns the output node; Params lists the
// trainable parameters of the module and of everything inside it.
type Module interface {
	Forward(x *G.Node) (*G.Node, error)
	Params() []*Param
}

// Parent is a Module made of other modules. Walk, SetTraining and Buffers
// descend through it.
type Parent interface {
	Children() []Module
}

// ModeSetter is a Module that computes differently in training and in
// evaluation (BatchNorm, Dropout). The mode applies to graphs built after
// the call.
type ModeSetter interface {
	SetTraining(training bool)
}

// BufferHolder is a Module with non-trainable state that belongs in a
// checkpoint (BatchNorm's running statistics).
type BufferHolder interface {
	Buffers() []*Param
}

// Walk calls fn for m and every module below it, parents first.
func Walk(m Module, fn func(Module)) {
	if m == nil {
		return
	}
	fn(m)
	if p, ok := m.(Parent); ok {
		for _, c := range p.Children() {
			Walk(c, fn)
		}
	}
}

// SetTraining switches every module below m to training (true) or
// evaluation (false) mode for the graphs built afterwards.
func SetTraining(m Module, training bool) {
	Walk(m, func(x Module) {
		if s, ok := x.(ModeSetter); ok {
			s.SetTraining(training)
		}
	})
}

// Buffers lists the buffers of every module below m.
func Buffers(m Module) []*Param {
	var out []*Param
	Walk(m, func(x Module) {
		if b, ok := x.(BufferHolder); ok {
			out = append(out, b.Buffers()...)
		}
	})
	return out
}

// CountParams is the number of trainable scalars of m, as PyTorch's
// sum(p.numel() for p in model.parameters()) counts them.
func CountParams(m Module) int {
	n := 0
	for _, p := range m.Params() {
		n += p.Size()
	}
	return n
}

// ParamNodes returns the nodes of m's parameters in graph g, in Params
// order: the wrt list for G.Grad and for solvers.
func ParamNodes(m Module, g *G.ExprGraph) G.Nodes {
	ps := m.Params()
	out := make(G.Nodes, len(ps))
	for i, p := range ps {
		out[i] = p.Node(g)
	}
	return out
}

// StateDict maps every parameter and buffer name to its Param, and fails
// on duplicate names (two modules built with the same prefix would share
// graph nodes and corrupt checkpoints).
func StateDict(m Module) (map[string]*Param, error) {
	out := map[string]*Param{}
	for _, p := range append(m.Params(), Buffers(m)...) {
		if _, dup := out[p.Name]; dup {
			return nil, fmt.Errorf("nn: duplicate parameter name %q", p.Name)
		}
		out[p.Name] = p
	}
	return out, nil
}

func collect(ms ...Module) []*Param {
	var out []*Param
	for _, m := range ms {
		if m != nil {
			out = append(out, m.Params()...)
		}
	}
	return out
}

// checkDims reports a clear error when x does not have the rank a layer needs.
func checkDims(layer string, x *G.Node, dims ...int) error {
	if x == nil {
		return fmt.Errorf("nn: %s: nil input", layer)
	}
	for _, d := range dims {
		if x.Dims() == d {
			return nil
		}
	}
	return fmt.Errorf("nn: %s: input has shape %v, want %v dimensions", layer, x.Shape(), dims)
}
