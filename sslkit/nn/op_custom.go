package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

// kernelOp is a gorgonia Op defined by plain functions on float32 slices:
// the shape rule, the computation, and (optionally) the symbolic gradient.
// It lets this package add the ops gorgonia lacks or gets wrong without
// repeating the dozen Op methods each time.
type kernelOp struct {
	name  string // also the hash key: must encode every hyper-parameter
	arity int
	shape func(in []tensor.Shape) (tensor.Shape, error)
	do    func(out []float32, in [][]float32, shapes []tensor.Shape)
	// grad returns one node per input (nil where not differentiable).
	grad func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)
	diff []bool
	// dims, if set, gives the rank of each input and then of the output
	// (all float32); otherwise inputs and output share one type.
	dims []int
}

func (op *kernelOp) Arity() int { return op.arity }
func (op *kernelOp) Type() hm.Type {
	if op.dims != nil {
		ts := make(hm.Types, len(op.dims))
		for i, d := range op.dims {
			ts[i] = G.TensorType{Dims: d, Of: tensor.Float32}
		}
		return hm.NewFnType(ts...)
	}
	a := hm.TypeVariable('a')
	ts := make(hm.Types, op.arity+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}
func (op *kernelOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%s: cannot infer shape from %T", op.name, d)
		}
		shapes[i] = s
	}
	return op.shape(shapes)
}
func (op *kernelOp) Do(vals ...G.Value) (G.Value, error) {
	// A notebook interrupt stops a long forward/backward pass at the next op.
	if err := ambient.Context().Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op.name, err)
	}
	in := make([][]float32, len(vals))
	shapes := make([]tensor.Shape, len(vals))
	for i, v := range vals {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %T, want a tensor", op.name, i, v)
		}
		d, ok := t.Data().([]float32)
		if !ok {
			return nil, fmt.Errorf("%s: input %d is %v, want float32", op.name, i, t.Dtype())
		}
		if t.RequiresIterator() { // a view (e.g. a transpose): copy it out
			m, ok := tensor.Materialize(t).(tensor.Tensor)
			if !ok {
				return nil, fmt.Errorf("%s: cannot materialise input %d", op.name, i)
			}
			d, _ = m.Data().([]float32)
		}
		in[i], shapes[i] = d, t.Shape()
	}
	s, err := op.shape(shapes)
	if err != nil {
		return nil, err
	}
	out := make([]float32, s.TotalSize())
	op.do(out, in, shapes)
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), nil
}
func (op *kernelOp) ReturnsPtr() bool      { return false }
func (op *kernelOp) CallsExtern() bool     { return false }
func (op *kernelOp) OverwritesInput() int  { return -1 }
func (op *kernelOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "sslkit.%s", op.name) }
func (op *kernelOp) Hashcode() uint32      { return hashOf(op) }
func (op *kernelOp) String() string        { return op.name }

func (op *kernelOp) DiffWRT(n int) []bool {
	if op.diff != nil {
		return op.diff
	}
	return make([]bool, n)
}
func (op *kernelOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.grad == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.name)
	}
	return op.grad(inputs, output, grad)
}
