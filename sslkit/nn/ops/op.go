package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

// kernel is the numeric core of one custom op; fwdOp and bwdOp adapt it to
// gorgonia's Op interfaces so each op is written once.
type kernel interface {
	// name identifies the op and all its parameters: gorgonia hash-conses
	// nodes, so two kernels with equal names must compute the same thing.
	name() string
	// inputs gives the rank and, for integer inputs, the dtype of each
	// input (nil dtype: the shared float type variable).
	inputs() []inputSpec
	// outDims is the rank of the output (0 for a scalar).
	outDims() int
	shape(in []tensor.Shape) (tensor.Shape, error)
	diffWRT() []bool
	forward(in []buf) (buf, error)
	// backward returns the gradient w.r.t. input wrt, given the inputs,
	// the forward output and the output's gradient.
	backward(in []buf, out, grad buf, wrt int) (buf, error)
}

// shapeOnlyBackward marks kernels whose backward reads only the output's
// gradient and the shapes and dtypes of the inputs and output, so bwdOp
// skips converting their data.
type shapeOnlyBackward interface{ shapeOnlyBackward() }

type inputSpec struct {
	dims  int
	dtype hm.Type // nil: float (type variable a)
}

var floatVar = hm.TypeVariable('a')

func tensorType(dims int, of hm.Type) hm.Type {
	if of == nil {
		of = floatVar
	}
	if dims == 0 {
		return of
	}
	return G.TensorType{Dims: dims, Of: of}
}

func inTypes(k kernel) []hm.Type {
	specs := k.inputs()
	ts := make([]hm.Type, len(specs))
	for i, s := range specs {
		ts[i] = tensorType(s.dims, s.dtype)
	}
	return ts
}

func shapesOf(ds []G.DimSizer) ([]tensor.Shape, error) {
	out := make([]tensor.Shape, len(ds))
	for i, d := range ds {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("ops: input %d has no static shape", i)
		}
		out[i] = s
	}
	return out, nil
}

func unpackAll(vs []G.Value) ([]buf, error) {
	bs := make([]buf, len(vs))
	for i, v := range vs {
		b, err := unpack(v)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		bs[i] = b
	}
	return bs, nil
}

func hashOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// fwdOp runs a kernel forward.
type fwdOp struct{ k kernel }

func (op fwdOp) Arity() int { return len(op.k.inputs()) }
func (op fwdOp) Type() hm.Type {
	ts := append(inTypes(op.k), tensorType(op.k.outDims(), nil))
	return hm.NewFnType(ts...)
}
func (op fwdOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := shapesOf(ds)
	if err != nil {
		return nil, err
	}
	return op.k.shape(shapes)
}
func (op fwdOp) Do(vs ...G.Value) (G.Value, error) {
	// A notebook interrupt stops a long forward/backward pass at the next op.
	if err := ambient.Context().Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op.k.name(), err)
	}
	in, err := unpackAll(vs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.k.name(), err)
	}
	out, err := op.k.forward(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.k.name(), err)
	}
	return out.value(), nil
}
func (op fwdOp) ReturnsPtr() bool      { return false }
func (op fwdOp) CallsExtern() bool     { return false }
func (op fwdOp) OverwritesInput() int  { return -1 }
func (op fwdOp) WriteHash(h hash.Hash) { h.Write([]byte(op.k.name())) }
func (op fwdOp) Hashcode() uint32      { return hashOf(op.k.name()) }
func (op fwdOp) String() string        { return op.k.name() }
func (op fwdOp) DiffWRT(n int) []bool  { return op.k.diffWRT() }
func (op fwdOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	diffs := op.k.diffWRT()
	out := make(G.Nodes, len(inputs))
	for i, d := range diffs {
		if !d {
			continue
		}
		children := append(append(G.Nodes{}, inputs...), output, grad)
		n, err := G.ApplyOp(bwdOp{k: op.k, wrt: i}, children...)
		if err != nil {
			return nil, fmt.Errorf("%s: gradient of input %d: %w", op.k.name(), i, err)
		}
		out[i] = n
	}
	return out, nil
}

// DoDiff accumulates input gradients for gorgonia's LispMachine.
func (op fwdOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	vs := make([]G.Value, len(inputs))
	for i, n := range inputs {
		vs[i] = n.Value()
	}
	in, err := unpackAll(vs)
	if err != nil {
		return err
	}
	out, err := unpack(output.Value())
	if err != nil {
		return err
	}
	gv, err := output.Grad()
	if err != nil {
		return err
	}
	grad, err := unpack(gv)
	if err != nil {
		return err
	}
	for i, d := range op.k.diffWRT() {
		if !d {
			continue
		}
		gi, err := op.k.backward(in, out, grad, i)
		if err != nil {
			return err
		}
		dst, err := inputs[i].Grad()
		if err != nil {
			return err
		}
		if err := gi.addInto(dst); err != nil {
			return err
		}
	}
	return nil
}

// bwdOp computes one input's gradient of a kernel. Its children are the
// forward inputs, the forward output and the output's gradient.
type bwdOp struct {
	k   kernel
	wrt int
}

func (op bwdOp) name() string { return fmt.Sprintf("∂%s/∂in%d", op.k.name(), op.wrt) }
func (op bwdOp) Arity() int   { return len(op.k.inputs()) + 2 }
func (op bwdOp) Type() hm.Type {
	ts := inTypes(op.k)
	outT := tensorType(op.k.outDims(), nil)
	ts = append(ts, outT, outT, ts[op.wrt])
	return hm.NewFnType(ts...)
}
func (op bwdOp) InferShape(ds ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := shapesOf(ds)
	if err != nil {
		return nil, err
	}
	return shapes[op.wrt].Clone(), nil
}
func (op bwdOp) Do(vs ...G.Value) (G.Value, error) {
	if err := ambient.Context().Err(); err != nil {
		return nil, fmt.Errorf("%s gradient: %w", op.k.name(), err)
	}
	n := len(vs) - 2
	var bs []buf
	var err error
	if _, ok := op.k.(shapeOnlyBackward); ok {
		bs = make([]buf, n, n+2)
		for i, v := range vs[:n] {
			bs[i] = buf{shape: v.Shape().Clone(), dt: v.Dtype()}
		}
		var grad buf
		grad, err = unpack(vs[n+1])
		bs = append(bs, buf{shape: vs[n].Shape().Clone(), dt: vs[n].Dtype()}, grad)
	} else {
		bs, err = unpackAll(vs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.name(), err)
	}
	g, err := op.k.backward(bs[:n], bs[n], bs[n+1], op.wrt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.name(), err)
	}
	// The gradient takes the dtype of the output's gradient (float inputs
	// share one dtype by the type system).
	g.dt = bs[n+1].dt
	return g.value(), nil
}
func (op bwdOp) ReturnsPtr() bool      { return false }
func (op bwdOp) CallsExtern() bool     { return false }
func (op bwdOp) OverwritesInput() int  { return -1 }
func (op bwdOp) WriteHash(h hash.Hash) { h.Write([]byte(op.name())) }
func (op bwdOp) Hashcode() uint32      { return hashOf(op.name()) }
func (op bwdOp) String() string        { return op.name() }
func (op bwdOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op bwdOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%s: second-order gradients are not supported", op.name())
}

// apply validates the inputs against the kernel's spec and adds the op to
// the graph.
func apply(k kernel, inputs ...*G.Node) (*G.Node, error) {
	specs := k.inputs()
	if len(inputs) != len(specs) {
		return nil, fmt.Errorf("%s: %d inputs, want %d", k.name(), len(inputs), len(specs))
	}
	var floatDt tensor.Dtype
	for i, n := range inputs {
		if n == nil {
			return nil, fmt.Errorf("%s: input %d is nil", k.name(), i)
		}
		if n.Shape().Dims() != specs[i].dims {
			return nil, fmt.Errorf("%s: input %d has shape %v, want rank %d", k.name(), i, n.Shape(), specs[i].dims)
		}
		dt := n.Dtype()
		if specs[i].dtype != nil {
			if dt != specs[i].dtype {
				return nil, fmt.Errorf("%s: input %d has dtype %v, want %v", k.name(), i, dt, specs[i].dtype)
			}
			continue
		}
		if dt != tensor.Float32 && dt != tensor.Float64 {
			return nil, fmt.Errorf("%s: input %d has dtype %v, want Float32 or Float64", k.name(), i, dt)
		}
		if floatDt != (tensor.Dtype{}) && dt != floatDt {
			return nil, fmt.Errorf("%s: inputs mix %v and %v", k.name(), floatDt, dt)
		}
		floatDt = dt
	}
	return G.ApplyOp(fwdOp{k}, inputs...)
}
