package graphtest

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestForwardAndEval(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, -2, 3, -4}))
	double := func(n *G.Node) (*G.Node, error) { return G.Mul(n, G.NewConstant(float32(2))) }
	got := Forward(t, double, x)
	want := []float64{2, -4, 6, -8}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}

	// Eval reads the value as computed, even where a later op of the
	// same run works in place on that node's memory.
	g := G.NewGraph()
	a := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("a"), G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2}))))
	s := G.Must(G.Sum(a))
	if v := Eval(t, s); len(v) != 1 || v[0] != 3 {
		t.Fatalf("sum = %v, want [3]", v)
	}
}

// A failing graph fails the test (through the testing.TB it was given).
func TestRunReportsErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("unset"))
	G.Must(G.Sum(a))
	rec := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }() // Fatal's Goexit is replaced by a panic
		Run(rec, g)
	}()
	if !rec.failed {
		t.Fatal("Run of a graph with an unset input did not fail the test")
	}
}

type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper() {}
func (r *recorder) Fatal(args ...any) {
	r.failed = true
	panic("fatal")
}
