package nn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemOp applies a scalar function to every element of a float32 tensor.
// If df is set, the op is differentiable: its gradient is grad ⊙ df(x),
// computed by a second elemOp without a derivative of its own.
type elemOp struct {
	name string
	f    func(float64) float64
	df   func(float64) float64
}

func (op elemOp) Arity() int { return 1 }
func (op elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%s: cannot infer shape from %T", op.name, in[0])
	}
	return s.Clone(), nil
}
func (op elemOp) Do(vals ...G.Value) (G.Value, error) {
	t, ok := vals[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("%s: want a tensor, got %T", op.name, vals[0])
	}
	in, ok := t.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("%s: want float32, got %v", op.name, t.Dtype())
	}
	out := make([]float32, len(in))
	for i, x := range in {
		out[i] = float32(op.f(float64(x)))
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out)), nil
}
func (op elemOp) ReturnsPtr() bool      { return false }
func (op elemOp) CallsExtern() bool     { return false }
func (op elemOp) OverwritesInput() int  { return -1 }
func (op elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "sslkit.%s", op.name) }
func (op elemOp) Hashcode() uint32      { return hashOf(op) }
func (op elemOp) String() string        { return op.name }

func (op elemOp) DiffWRT(int) []bool { return []bool{op.df != nil} }
func (op elemOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.df == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.name)
	}
	d, err := G.ApplyOp(elemOp{name: op.name + "′", f: op.df}, inputs[0])
	if err != nil {
		return nil, err
	}
	g, err := G.HadamardProd(grad, d)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
