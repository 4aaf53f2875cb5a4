// Package graphtest runs gorgonia graphs for sslkit's tests: one place for
// the "new tape machine, run it, close it, fail the test on error" steps
// and for reading a node's value the safe way (gorgonia.Read, set up
// before the machine is built, because gorgonia may reuse a node's memory
// after it has been consumed).
package graphtest

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
)

// Run runs g once on a fresh tape machine and closes the machine; an error
// fails the test.
func Run(t testing.TB, g *G.ExprGraph) {
	t.Helper()
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

// Eval runs the graph of n and returns n's value, copied out as it is
// computed, as float64s.
func Eval(t testing.TB, n *G.Node) []float64 {
	t.Helper()
	var out G.Value
	G.Read(n, &out)
	Run(t, n.Graph())
	return Float64s(t, out)
}

// Forward builds forward (a layer's Forward method) on a float32 input
// node named "x" holding x, runs it and returns the output as float64s.
func Forward(t testing.TB, forward func(*G.Node) (*G.Node, error), x *tensor.Dense) []float64 {
	t.Helper()
	g := G.NewGraph()
	in := G.NewTensor(g, x.Dtype(), x.Dims(), G.WithShape(x.Shape().Clone()...), G.WithValue(x), G.WithName("x"))
	y, err := forward(in)
	if err != nil {
		t.Fatal(err)
	}
	return Eval(t, y)
}

// Float64s returns v's elements as float64s; a value that is not a float
// tensor or scalar fails the test.
func Float64s(t testing.TB, v G.Value) []float64 {
	t.Helper()
	f, err := gradcheck.Float64s(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
