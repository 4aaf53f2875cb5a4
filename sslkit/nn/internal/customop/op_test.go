package customop

import (
	"context"
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

func same(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }

// double is a float32 kernel op: out = 2x (accumulating when zero is set).
func double(reuse, zero bool) *Op {
	return &Op{
		Name: "Double", In: Float32(1), Out: Float32Arg(1), Shape: same, Reuse: reuse, ZeroOut: zero,
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			for i, v := range in[0] {
				out[i] += 2 * v
			}
		},
	}
}

// negate is an Eval op on any float dtype.
func negate() *Op {
	return &Op{
		Name: "Negate", In: []Arg{{Dims: 1}}, Out: Arg{Dims: 1}, Shape: same,
		Eval: func(vs []G.Value) (G.Value, error) {
			d := vs[0].Data().([]float64)
			out := make([]float64, len(d))
			for i, v := range d {
				out[i] = -v
			}
			return tensor.New(tensor.WithShape(len(out)), tensor.WithBacking(out)), nil
		},
	}
}

func vec32(xs ...float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))
}

// Every kind of op stops with the context's error when the notebook cell
// is interrupted, before it reads its inputs.
func TestDoHonoursInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer ambient.Set(ctx)()
	cancel()
	for name, op := range map[string]*Op{
		"kernel":        double(false, false),
		"reused kernel": double(true, true),
		"eval":          negate(),
	} {
		_, err := op.Do(vec32(1, 2))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want one wrapping context.Canceled", name, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), op.Name+":") {
			t.Errorf("%s: err %q does not name the op", name, err)
		}
	}
}

// A reused op writes every run into the same memory (cleared first when it
// accumulates); a plain op gets fresh memory each run.
func TestReuse(t *testing.T) {
	data := func(v G.Value) []float32 { return v.Data().([]float32) }
	for _, tc := range []struct {
		name        string
		op          *Op
		sameMemory  bool
		wantSecond0 float32
	}{
		{"fresh", double(false, false), false, 2},
		{"reused, cleared", double(true, true), true, 2},
	} {
		a, err := tc.op.Do(vec32(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		first := data(a)
		if first[0] != 2 || first[1] != 4 {
			t.Fatalf("%s: first run %v, want [2 4]", tc.name, first)
		}
		b, err := tc.op.Do(vec32(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		if got := &data(b)[0] == &first[0]; got != tc.sameMemory {
			t.Errorf("%s: second run in the same memory = %v, want %v", tc.name, got, tc.sameMemory)
		}
		if data(b)[0] != tc.wantSecond0 {
			t.Errorf("%s: second run %v, want first element %g", tc.name, data(b), tc.wantSecond0)
		}
	}
}

// A run that starts while another run of the same op holds its memory
// gets fresh memory instead of overwriting the other's output.
func TestReuseWhileBusy(t *testing.T) {
	op := double(true, true)
	a, err := op.Do(vec32(1))
	if err != nil {
		t.Fatal(err)
	}
	op.mu.Lock() // as if a second machine were in the middle of a run
	b, err := op.Do(vec32(5))
	op.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Data().([]float32)[0]; got != 2 {
		t.Errorf("the first output changed to %g", got)
	}
	if got := b.Data().([]float32)[0]; got != 10 {
		t.Errorf("the second output is %g, want 10", got)
	}
}

// The op builds into a graph, runs on the tape machine, differentiates
// through Grad and refuses bad inputs with errors that name it.
func TestGraph(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"), G.WithValue(vec32(1, -2, 3)))
	op := double(true, true)
	op.Diff = []bool{true}
	op.Grad = func(_ G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		d, err := G.Mul(dy, G.NewConstant(float32(2)))
		return G.Nodes{d}, err
	}
	y, err := G.ApplyOp(op, x)
	if err != nil {
		t.Fatal(err)
	}
	cost := G.Must(G.Sum(y))
	if _, err := G.Grad(cost, x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for run := 0; run < 2; run++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if got := cost.Value().Data().(float32); got != 4 {
			t.Fatalf("run %d: cost %g, want 4", run, got)
		}
		gv, err := x.Grad()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range gv.Data().([]float32) {
			if v != 2 {
				t.Fatalf("run %d: grad[%d] = %g, want 2", run, i, v)
			}
		}
	}

	if _, err := op.Do(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))); err == nil || !strings.Contains(err.Error(), "Double: input 0 is float64, want float32") {
		t.Errorf("float64 input: err = %v", err)
	}
	if err := op.DoDiff(G.ExecutionContext{}, G.Nodes{x}, y); err == nil || !strings.Contains(err.Error(), "tape machine") {
		t.Errorf("DoDiff without AccumulateGrad: err = %v, want it to point to the tape machine", err)
	}
}

func TestParallelForCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1 << 16, 1<<16 + 3} {
		seen := make([]int32, n)
		ParallelFor(n, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, c)
			}
		}
	}
}
