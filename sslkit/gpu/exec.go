package gpu

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

// ExecOptions says which nodes of a graph an Executor treats specially.
type ExecOptions struct {
	// Inputs are set with SetInput before each Run (the batch).
	Inputs G.Nodes
	// Params are uploaded once from their values and stay resident; the
	// optimizer steps (SGD, Adam) update them in place.
	Params G.Nodes
	// Grads[i] is the gradient of the loss with respect to Params[i], as
	// G.Grad returns it (needed only for SGD and Adam).
	Grads G.Nodes
	// Outputs are the values Value may copy back after Run: the loss and
	// whatever else the caller wants to read. Only these, Params, Grads and
	// their ancestors are computed.
	Outputs G.Nodes
	// HostFallback runs an op that has no kernel through its own gorgonia
	// Do on the CPU, copying its inputs back and its output over. Without
	// it such an op is an error that names it.
	HostFallback bool
}

// Executor runs a gorgonia graph (forward and backward: gorgonia builds
// both) on a Backend. Buffers are planned once (PlanBuffers) in one arena
// and reused by every Run; parameters, gradients, inputs, constants and
// optimizer state keep their own resident allocations.
type Executor struct {
	b      Backend
	o      ExecOptions
	vals   map[*G.Node]*val
	steps  []step
	arena  Slice
	plan   Plan
	opt    map[*G.Node][]Slice
	t      int
	closed bool
}

// val is one node's value on the backend.
type val struct {
	node   *G.Node
	shape  tensor.Shape
	size   int
	alias  *val    // a reshape: shares alias's memory
	host   G.Value // a non-float32 constant (integer labels): host ops only
	pinned bool    // its own allocation, not in the arena
	first  int     // step that writes it (-1: before the first step)
	last   int     // last step that reads it
	buf    int     // index of its arena buffer, -1 if none
	slice  Slice
}

func (v *val) root() *val {
	for v.alias != nil {
		v = v.alias
	}
	return v
}

// kernelFn runs one step: in are the inputs' slices (nil for host-only
// values), out the output's, scratch the step's temporary buffers.
type kernelFn func(b Backend, in []Slice, out Slice, scratch []Slice) error

type step struct {
	node      *G.Node
	in        []*val
	out       *val
	run       kernelFn
	scratchN  []int
	scratch   []Slice
	scratchID []int
	fallback  bool
}

// NewExecutor lowers the graph's ops to the backend's kernels, plans the
// buffers and uploads parameters and constants. The error of an op it
// cannot run names the op and its node.
func NewExecutor(b Backend, g *G.ExprGraph, o ExecOptions) (*Executor, error) {
	if b == nil || g == nil {
		return nil, fmt.Errorf("gpu: NewExecutor needs a backend and a graph")
	}
	if len(o.Grads) != 0 && len(o.Grads) != len(o.Params) {
		return nil, fmt.Errorf("gpu: %d gradients for %d parameters", len(o.Grads), len(o.Params))
	}
	e := &Executor{b: b, o: o, vals: map[*G.Node]*val{}, opt: map[*G.Node][]Slice{}}
	order, err := ancestors(g, append(append(append(G.Nodes{}, o.Outputs...), o.Grads...), o.Params...))
	if err != nil {
		return nil, err
	}
	kept := map[*G.Node]bool{}
	for _, n := range o.Params {
		kept[n] = true
	}
	for _, n := range o.Grads {
		kept[n] = true
	}
	for _, n := range o.Outputs {
		kept[n] = true
	}
	inputs := map[*G.Node]bool{}
	for _, n := range o.Inputs {
		inputs[n] = true
	}
	for _, n := range order {
		v := &val{node: n, shape: n.Shape(), size: max(n.Shape().TotalSize(), 1), first: -1, last: -1, buf: -1}
		e.vals[n] = v
		if n.Op() == nil || isConstant(n) {
			if err := e.leaf(v, inputs[n]); err != nil {
				e.Close()
				return nil, err
			}
			continue
		}
		if n.Dtype() != tensor.Float32 {
			e.Close()
			return nil, fmt.Errorf("gpu: node %s (op %v) is %v; the executor runs float32 graphs", n.Name(), n.Op(), n.Dtype())
		}
		s := step{node: n, out: v}
		for _, c := range children(n) {
			cv, ok := e.vals[c]
			if !ok {
				e.Close()
				return nil, fmt.Errorf("gpu: node %s reads %s, which is not sorted before it", n.Name(), c.Name())
			}
			s.in = append(s.in, cv)
		}
		low, err := lower(n, s.in)
		if err != nil {
			if !o.HostFallback {
				e.Close()
				return nil, fmt.Errorf("gpu: cannot run op %q (%s) of node %s on %s: %v", fmt.Sprint(n.Op()), opKind(n.Op()), n.Name(), b.Name(), err)
			}
			low = hostFallback(n, s.in)
			s.fallback = true
		}
		if low.alias {
			v.alias = s.in[0]
			continue // no step: the reshape is free
		}
		s.run, s.scratchN = low.run, low.scratch
		v.first = len(e.steps)
		for _, in := range s.in {
			r := in.root()
			r.last = max(r.last, len(e.steps))
		}
		e.steps = append(e.steps, s)
	}
	for n := range kept {
		if v := e.vals[n]; v != nil {
			v.root().last = len(e.steps) // read after the last step
			if v.root().first < 0 && v.root().host == nil && !v.root().pinned {
				v.root().pinned = true
			}
		}
	}
	if err := e.allocate(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func opKind(op G.Op) string {
	t := reflect.TypeOf(op)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.String()
}

func isConstant(n *G.Node) bool {
	return n.Op() != nil && strings.HasPrefix(opKind(n.Op()), "gorgonia.constant")
}

// children returns n's inputs in order.
func children(n *G.Node) []*G.Node {
	var out []*G.Node
	it := n.Graph().From(n.ID())
	for it.Next() {
		if c, ok := it.Node().(*G.Node); ok {
			out = append(out, c)
		}
	}
	return out
}

// ancestors returns the roots and everything they depend on, each node
// after its inputs.
func ancestors(g *G.ExprGraph, roots G.Nodes) ([]*G.Node, error) {
	var order []*G.Node
	state := map[*G.Node]int{} // 1 visiting, 2 done
	var visit func(n *G.Node) error
	visit = func(n *G.Node) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("gpu: the graph has a cycle through %s", n.Name())
		case 2:
			return nil
		}
		if n.Graph() != g {
			return fmt.Errorf("gpu: node %s belongs to another graph", n.Name())
		}
		state[n] = 1
		for _, c := range children(n) {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, r := range roots {
		if r == nil {
			return nil, fmt.Errorf("gpu: nil node in the executor's options")
		}
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// leaf sets up a node without inputs: a parameter, an input or a constant.
func (e *Executor) leaf(v *val, isInput bool) error {
	n := v.node
	if isInput {
		if n.Dtype() != tensor.Float32 {
			return fmt.Errorf("gpu: input %s is %v, want float32", n.Name(), n.Dtype())
		}
		v.pinned = true
		return nil
	}
	x := n.Value()
	if x == nil {
		return fmt.Errorf("gpu: node %s has no value and is not among the executor's inputs", n.Name())
	}
	if x.Dtype() != tensor.Float32 {
		v.host = x // e.g. integer labels, read only by host-fallback ops
		return nil
	}
	v.pinned = true
	return nil
}

// floats returns a float32 value's data, dense.
func floats(x G.Value) ([]float32, error) {
	switch t := x.(type) {
	case *G.F32:
		return []float32{float32(*t)}, nil
	case tensor.Tensor:
		if t.RequiresIterator() {
			m := tensor.Materialize(t)
			if m == nil {
				return nil, fmt.Errorf("cannot materialise a %v view", t.Shape())
			}
			t = m
		}
		d, ok := t.Data().([]float32)
		if !ok {
			if s, ok := t.Data().(float32); ok {
				return []float32{s}, nil
			}
			return nil, fmt.Errorf("data is %T, want []float32", t.Data())
		}
		return d, nil
	}
	return nil, fmt.Errorf("value is %T, want float32", x)
}

// allocate plans the arena and uploads parameters and constants.
func (e *Executor) allocate() error {
	var bufs []Buffer
	var owners []func(Slice)
	for _, v := range e.vals {
		if v.alias != nil || v.host != nil {
			continue
		}
		if v.pinned {
			s, err := e.b.Alloc(v.size)
			if err != nil {
				return fmt.Errorf("gpu: allocating %s (%d values): %w", v.node.Name(), v.size, err)
			}
			v.slice = s
			if v.first < 0 && v.node.Value() != nil && !containsNode(e.o.Inputs, v.node) {
				d, err := floats(v.node.Value())
				if err != nil {
					return fmt.Errorf("gpu: node %s: %v", v.node.Name(), err)
				}
				if len(d) != v.size {
					return fmt.Errorf("gpu: node %s holds %d values, its shape %v wants %d", v.node.Name(), len(d), v.shape, v.size)
				}
				if err := e.b.Upload(s, d); err != nil {
					return err
				}
			}
			continue
		}
		if v.first < 0 {
			continue // unused leaf
		}
		v.buf = len(bufs)
		bufs = append(bufs, Buffer{Size: v.size, First: v.first, Last: max(v.last, v.first)})
		vv := v
		owners = append(owners, func(s Slice) { vv.slice = s })
	}
	for i := range e.steps {
		s := &e.steps[i]
		for _, n := range s.scratchN {
			s.scratchID = append(s.scratchID, len(bufs))
			bufs = append(bufs, Buffer{Size: n, First: i, Last: i})
			j := len(s.scratchID) - 1
			owners = append(owners, func(sl Slice) { s.scratch[j] = sl })
		}
		s.scratch = make([]Slice, len(s.scratchN))
	}
	plan, err := PlanBuffers(bufs)
	if err != nil {
		return err
	}
	e.plan = plan
	if plan.Peak > 0 {
		if e.arena, err = e.b.Alloc(plan.Peak); err != nil {
			return fmt.Errorf("gpu: allocating the %d-value arena: %w", plan.Peak, err)
		}
	}
	for i, b := range plan.Buffers {
		owners[i](e.arena.Sub(b.Offset, b.Size))
	}
	for _, v := range e.vals {
		if v.alias != nil {
			v.slice = v.root().slice
			if v.root().host == nil && v.slice.n != v.size {
				return fmt.Errorf("gpu: reshape %s of %d values aliases %d", v.node.Name(), v.size, v.slice.n)
			}
			v.host = v.root().host
		}
	}
	return nil
}

func containsNode(ns G.Nodes, n *G.Node) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// Plan returns the arena's plan (sizes in float32 values).
func (e *Executor) Plan() Plan { return e.plan }

// Backend returns the backend the executor runs on.
func (e *Executor) Backend() Backend { return e.b }

// SetInput copies a batch into an input node's resident buffer.
func (e *Executor) SetInput(n *G.Node, data []float32) error {
	v, ok := e.vals[n]
	if !ok || !containsNode(e.o.Inputs, n) {
		return fmt.Errorf("gpu: %s is not an input of this executor", nodeName(n))
	}
	if len(data) != v.size {
		return fmt.Errorf("gpu: input %s has shape %v (%d values), got %d", n.Name(), v.shape, v.size, len(data))
	}
	return e.b.Upload(v.slice, data)
}

func nodeName(n *G.Node) string {
	if n == nil {
		return "<nil>"
	}
	return n.Name()
}

// Run executes every step once. It stops between steps when ctx or the
// notebook's interrupt (ambient.Context) is cancelled.
func (e *Executor) Run(ctx context.Context) error {
	if e.closed {
		return fmt.Errorf("gpu: Run on a closed executor")
	}
	amb := ambient.Context()
	for i := range e.steps {
		if i%16 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := amb.Err(); err != nil {
				return err
			}
		}
		s := &e.steps[i]
		in := make([]Slice, len(s.in))
		for j, v := range s.in {
			in[j] = v.slice
		}
		if err := s.run(e.b, in, s.out.slice, s.scratch); err != nil {
			return fmt.Errorf("gpu: step %d, node %s (op %v): %w", i, s.node.Name(), s.node.Op(), err)
		}
	}
	return nil
}

// Value copies a node's value back (it waits for the backend). Outputs,
// parameters and gradients can be read; other values may have been
// overwritten by later steps.
func (e *Executor) Value(n *G.Node) ([]float32, error) {
	v, ok := e.vals[n]
	if !ok || v.root().last < len(e.steps) && !v.root().pinned {
		return nil, fmt.Errorf("gpu: %s is not an output, parameter or gradient of this executor", nodeName(n))
	}
	if v.host != nil {
		return nil, fmt.Errorf("gpu: %s is a %v constant kept on the host", n.Name(), v.host.Dtype())
	}
	out := make([]float32, v.size)
	return out, e.b.Download(out, v.slice)
}

// Scalar copies a one-value node back (the loss).
func (e *Executor) Scalar(n *G.Node) (float32, error) {
	d, err := e.Value(n)
	if err != nil {
		return 0, err
	}
	if len(d) != 1 {
		return 0, fmt.Errorf("gpu: %s has %d values, not one", n.Name(), len(d))
	}
	return d[0], nil
}

// SGD updates every parameter with its gradient: v = momentum·v + g +
// wd·w; w -= lr·v. The velocities stay on the backend.
func (e *Executor) SGD(lr, momentum, wd float32) error {
	return e.update(1, func(w, g Slice, st []Slice) error { return e.b.SGD(w, g, st[0], lr, momentum, wd) })
}

// Adam updates every parameter with Adam (decoupled weight decay wd, as
// AdamW). Its moments stay on the backend.
func (e *Executor) Adam(lr, beta1, beta2, eps, wd float32) error {
	e.t++
	t := e.t
	return e.update(2, func(w, g Slice, st []Slice) error { return e.b.Adam(w, g, st[0], st[1], lr, beta1, beta2, eps, wd, t) })
}

func (e *Executor) update(nState int, f func(w, g Slice, st []Slice) error) error {
	if len(e.o.Grads) != len(e.o.Params) || len(e.o.Params) == 0 {
		return fmt.Errorf("gpu: the optimizer needs ExecOptions.Params and Grads")
	}
	for i, p := range e.o.Params {
		w, g := e.vals[p], e.vals[e.o.Grads[i]]
		st := e.opt[p]
		for len(st) < nState {
			s, err := e.b.Alloc(w.size)
			if err != nil {
				return err
			}
			if err := e.b.Fill(s, 0); err != nil {
				return err
			}
			st = append(st, s)
		}
		e.opt[p] = st
		if g.slice.n != w.slice.n {
			return fmt.Errorf("gpu: gradient %s has %d values, parameter %s %d", g.node.Name(), g.slice.n, p.Name(), w.slice.n)
		}
		if err := f(w.slice, g.slice, st); err != nil {
			return fmt.Errorf("gpu: updating %s: %w", p.Name(), err)
		}
	}
	return nil
}

// CopyParamsBack writes the resident parameters into the nodes' own
// values, so gorgonia code (checkpoints, evaluation) sees the trained
// weights.
func (e *Executor) CopyParamsBack() error {
	for _, p := range e.o.Params {
		d, err := floats(p.Value())
		if err != nil {
			return fmt.Errorf("gpu: parameter %s: %v", p.Name(), err)
		}
		if err := e.b.Download(d, e.vals[p].slice); err != nil {
			return err
		}
	}
	return nil
}

// Close frees the arena and the resident buffers.
func (e *Executor) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	for _, v := range e.vals {
		if v.pinned && v.alias == nil && v.slice.n > 0 {
			e.b.Free(v.slice)
		}
	}
	for _, st := range e.opt {
		for _, s := range st {
			e.b.Free(s)
		}
	}
	if e.arena.n > 0 {
		e.b.Free(e.arena)
	}
	return nil
}

// Steps lists the executor's steps as "node: op" lines, host-fallback
// steps marked, for diagnostics.
func (e *Executor) Steps() []string {
	out := make([]string, len(e.steps))
	for i, s := range e.steps {
		mark := ""
		if s.fallback {
			mark = " [host]"
		}
		out[i] = fmt.Sprintf("%s: %v%s", s.node.Name(), s.node.Op(), mark)
	}
	return out
}

// UploadParams copies the parameters' node values to the resident buffers
// again: for a training loop whose optimizer runs on the host (it reads
// the gradients with Value and updates the nodes' values).
func (e *Executor) UploadParams() error {
	for _, p := range e.o.Params {
		d, err := floats(p.Value())
		if err != nil {
			return fmt.Errorf("gpu: parameter %s: %v", p.Name(), err)
		}
		if err := e.b.Upload(e.vals[p].slice, d); err != nil {
			return fmt.Errorf("gpu: parameter %s: %w", p.Name(), err)
		}
	}
	return nil
}
