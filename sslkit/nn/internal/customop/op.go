package customop

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

// Arg describes one input (or the output) of an Op.
type Arg struct {
	Dims int // rank; 0 is a scalar
	// Dtype is the input's dtype; the zero Dtype means "the op's float
	// type", one type variable shared by every such input and the output
	// (so one op works on float32 and float64 graphs).
	Dtype tensor.Dtype
}

// Float32 returns float32 Args of the given ranks.
func Float32(dims ...int) []Arg {
	args := make([]Arg, len(dims))
	for i, d := range dims {
		args[i] = Arg{Dims: d, Dtype: tensor.Float32}
	}
	return args
}

// Float32Arg returns a float32 Arg of the given rank.
func Float32Arg(dims int) Arg { return Arg{Dims: dims, Dtype: tensor.Float32} }

// Op is a gorgonia Op made of plain functions. Exactly one of Kernel and
// Eval computes it. Use it as a pointer: a reused output lives in it.
type Op struct {
	// Name identifies the op and every hyper-parameter: gorgonia
	// hash-conses nodes, so two ops of equal names must compute the same.
	Name string
	// In types the inputs and Out the output. With In nil, NumIn inputs
	// and the output share one type (any rank).
	In    []Arg
	Out   Arg
	NumIn int
	// Shape gives the output's shape from the inputs' shapes.
	Shape func(in []tensor.Shape) (tensor.Shape, error)

	// Kernel computes a float32 op into out, which has the output's size:
	// fresh zeroed memory on every run, unless Reuse, where out holds the
	// previous run's values (cleared first with ZeroOut). Inputs that are
	// views (a transpose) arrive copied out in order.
	Kernel func(out []float32, in [][]float32, shapes []tensor.Shape)
	// Reuse keeps Kernel's output memory from one run of the graph to the
	// next: safe with the tape machine's Reset between runs (each op runs
	// once per run and gorgonia.Read copies results out). A second run
	// that starts while one is in progress gets fresh memory.
	Reuse bool
	// ZeroOut: Kernel accumulates into out, so a reused out is cleared
	// before each run.
	ZeroOut bool

	// Eval computes the op on gorgonia values of any dtype.
	Eval func(vals []G.Value) (G.Value, error)

	// Diff says which inputs are differentiable (nil: none).
	Diff []bool
	// Grad builds the gradient nodes, one per input (nil where not
	// differentiable), from the inputs, the output and its gradient.
	Grad func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)
	// AccumulateGrad, if set, adds the input gradients for gorgonia's
	// LispMachine (its DoDiff).
	AccumulateGrad func(inputs G.Nodes, output *G.Node) error

	mu  sync.Mutex
	out []float32
}

var floatVar = hm.TypeVariable('a')

func (a Arg) typ() hm.Type {
	var of hm.Type = floatVar
	if a.Dtype != (tensor.Dtype{}) {
		of = a.Dtype
	}
	if a.Dims == 0 {
		return of
	}
	return G.TensorType{Dims: a.Dims, Of: of}
}

func (op *Op) Arity() int {
	if op.In != nil {
		return len(op.In)
	}
	return op.NumIn
}

func (op *Op) Type() hm.Type {
	if op.In == nil {
		ts := make(hm.Types, op.NumIn+1)
		for i := range ts {
			ts[i] = floatVar
		}
		return hm.NewFnType(ts...)
	}
	ts := make(hm.Types, 0, len(op.In)+1)
	for _, a := range op.In {
		ts = append(ts, a.typ())
	}
	return hm.NewFnType(append(ts, op.Out.typ())...)
}

func (op *Op) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%s: input %d has no static shape (%T)", op.Name, i, d)
		}
		shapes[i] = s
	}
	return op.Shape(shapes)
}

// Do runs the op. This is the one place where every sslkit op honours a
// notebook interrupt: it stops a long forward or backward pass at the next
// op, with an error that wraps the context's (errors.Is works on it; the
// tape machine's own wrapping does not keep %w).
func (op *Op) Do(vals ...G.Value) (G.Value, error) {
	if err := ambient.Context().Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op.Name, err)
	}
	if op.Kernel == nil {
		v, err := op.Eval(vals)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.Name, err)
		}
		return v, nil
	}
	if op.Reuse && op.mu.TryLock() {
		defer op.mu.Unlock()
		v, out, err := op.run(op.out, vals)
		op.out = out
		return v, err
	}
	v, _, err := op.run(nil, vals)
	return v, err
}

// run computes Kernel into out, or into fresh memory when out is nil or
// of the wrong size, and returns the memory it used.
func (op *Op) run(out []float32, vals []G.Value) (G.Value, []float32, error) {
	var inBuf [6][]float32
	var shBuf [6]tensor.Shape
	in, shapes := inBuf[:0], shBuf[:0]
	for i, v := range vals {
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, out, fmt.Errorf("%s: input %d is %T, want a tensor", op.Name, i, v)
		}
		d, ok := t.Data().([]float32)
		if !ok {
			return nil, out, fmt.Errorf("%s: input %d is %v, want float32", op.Name, i, t.Dtype())
		}
		if t.RequiresIterator() { // a view (e.g. a transpose): copy it out
			if d, ok = tensor.Materialize(t).Data().([]float32); !ok {
				return nil, out, fmt.Errorf("%s: cannot materialise input %d", op.Name, i)
			}
		}
		in, shapes = append(in, d), append(shapes, t.Shape())
	}
	s, err := op.Shape(shapes)
	if err != nil {
		return nil, out, fmt.Errorf("%s: %w", op.Name, err)
	}
	if size := s.TotalSize(); len(out) != size {
		out = make([]float32, size)
	} else if op.ZeroOut {
		ParallelFor(len(out), 1, func(lo, hi int) { clear(out[lo:hi]) })
	}
	op.Kernel(out, in, shapes)
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(out)), out, nil
}

func (op *Op) ReturnsPtr() bool      { return false }
func (op *Op) CallsExtern() bool     { return false }
func (op *Op) OverwritesInput() int  { return -1 }
func (op *Op) WriteHash(h hash.Hash) { fmt.Fprintf(h, "sslkit.%s", op.Name) }
func (op *Op) String() string        { return op.Name }
func (op *Op) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *Op) DiffWRT(n int) []bool {
	if op.Diff != nil {
		return op.Diff
	}
	return make([]bool, n)
}

func (op *Op) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.Grad == nil {
		return nil, fmt.Errorf("%s is not differentiable", op.Name)
	}
	return op.Grad(inputs, output, grad)
}

// DoDiff accumulates input gradients for gorgonia's LispMachine. An op
// without AccumulateGrad says so instead of leaving its inputs' gradients
// silently at zero (which is what the LispMachine does with an op that
// has no DoDiff).
func (op *Op) DoDiff(_ G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if op.AccumulateGrad != nil {
		return op.AccumulateGrad(inputs, output)
	}
	for _, d := range op.Diff {
		if d {
			return fmt.Errorf("%s: gradients only on the tape machine (gorgonia.NewTapeMachine), not the LispMachine", op.Name)
		}
	}
	return nil
}
