package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// kernel is the numeric core of one op of this package, on float64 views of
// its inputs (so one kernel serves float32 and float64 graphs); op turns
// it into a customop.Op, the one Op type of sslkit.
type kernel interface {
	// name identifies the op and all its parameters: gorgonia hash-conses
	// nodes, so two kernels with equal names must compute the same thing.
	name() string
	// inputs gives the rank and, for integer inputs, the dtype of each
	// input (zero dtype: the float type shared with the output).
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
// gradient and the shapes and dtypes of the inputs and output, so the
// gradient op skips converting their data.
type shapeOnlyBackward interface{ shapeOnlyBackward() }

type inputSpec struct {
	dims  int
	dtype tensor.Dtype // zero: float (one type shared with the output)
}

// op turns a kernel into the customop.Op that runs it forward; its
// gradient for input wrt is a second customop.Op (bwdOp) whose children are
// the forward inputs, the forward output and the output's gradient.
func op(k kernel) *customop.Op {
	specs := k.inputs()
	args := make([]customop.Arg, len(specs))
	for i, s := range specs {
		args[i] = customop.Arg{Dims: s.dims, Dtype: s.dtype}
	}
	fst := &state{}
	k32, fast := k.(kernel32)
	f := &customop.Op{
		Name: k.name(), In: args, Out: customop.Arg{Dims: k.outDims()},
		Shape: k.shape,
		Eval: func(vs []G.Value) (G.Value, error) {
			if fast && allFloat32(vs, specs) {
				return run32(fst, vs, k.shape, k32.forward32)
			}
			st, unlock := fst.lock()
			defer unlock()
			in, err := unpackAllInto(st, vs)
			if err != nil {
				return nil, err
			}
			out, err := k.forward(in)
			if err != nil {
				return nil, err
			}
			return out.valueInto(st), nil
		},
		Diff: k.diffWRT(),
	}
	f.Grad = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		out := make(G.Nodes, len(inputs))
		for i, d := range k.diffWRT() {
			if !d {
				continue
			}
			children := append(append(G.Nodes{}, inputs...), output, grad)
			n, err := G.ApplyOp(bwdOp(k, args, i, fst), children...)
			if err != nil {
				return nil, fmt.Errorf("%s: gradient of input %d: %w", k.name(), i, err)
			}
			out[i] = n
		}
		return out, nil
	}
	f.AccumulateGrad = func(inputs G.Nodes, output *G.Node) error { return doDiff(k, inputs, output) }
	return f
}

// bwdOp computes the gradient of kernel k for input wrt; fst is the
// forward op's state.
func bwdOp(k kernel, args []customop.Arg, wrt int, fst *state) *customop.Op {
	name := fmt.Sprintf("∂%s/∂in%d", k.name(), wrt)
	outArg := customop.Arg{Dims: k.outDims()}
	_, shapeOnly := k.(shapeOnlyBackward)
	k32, fast := k.(kernel32)
	specs := k.inputs()
	bst := &state{fwd: fst}
	inShape := func(in []tensor.Shape) (tensor.Shape, error) { return in[wrt], nil }
	return &customop.Op{
		Name: name,
		In:   append(append([]customop.Arg{}, args...), outArg, outArg),
		Out:  args[wrt],
		Shape: func(in []tensor.Shape) (tensor.Shape, error) {
			return in[wrt].Clone(), nil
		},
		Eval: func(vs []G.Value) (G.Value, error) {
			n := len(vs) - 2
			if fast && allFloat32(vs, specs) {
				return run32(bst, vs, inShape, func(st *state, dst []float32, in []arr) error {
					return k32.backward32(st, dst, in[:n], in[n], in[n+1], wrt)
				})
			}
			st, unlock := bst.lock()
			defer unlock()
			var bs []buf
			var err error
			if shapeOnly {
				bs = make([]buf, n, n+2)
				for i, v := range vs[:n] {
					bs[i] = buf{shape: v.Shape().Clone(), dt: v.Dtype()}
				}
				var grad buf
				grad, err = unpack(vs[n+1])
				bs = append(bs, buf{shape: vs[n].Shape().Clone(), dt: vs[n].Dtype()}, grad)
			} else {
				bs, err = unpackAllInto(st, vs)
			}
			if err != nil {
				return nil, err
			}
			g, err := k.backward(bs[:n], bs[n], bs[n+1], wrt)
			if err != nil {
				return nil, err
			}
			// The gradient takes the dtype of the output's gradient (float
			// inputs share one dtype by the type system).
			g.dt = bs[n+1].dt
			return g.valueInto(st), nil
		},
		Grad: func(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
			return nil, fmt.Errorf("%s: second-order gradients are not supported", name)
		},
	}
}

// doDiff accumulates input gradients for gorgonia's LispMachine.
func doDiff(k kernel, inputs G.Nodes, output *G.Node) error {
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
	for i, d := range k.diffWRT() {
		if !d {
			continue
		}
		gi, err := k.backward(in, out, grad, i)
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
		if specs[i].dtype != (tensor.Dtype{}) {
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
	return G.ApplyOp(op(k), inputs...)
}
