package ops

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// input adds a named random input node to g.
func input(g *G.ExprGraph, dt tensor.Dtype, name string, seed int64, scale float64, shape ...int) *G.Node {
	s := tensor.Shape(shape)
	return G.NewTensor(g, dt, s.Dims(), G.WithShape(s...), G.WithName(name),
		G.WithValue(gradcheck.RandomTensor(dt, s, seed, scale)))
}

// inputFrom adds a named input node holding data.
func inputFrom(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	s := tensor.Shape(shape)
	v := tensor.New(tensor.WithShape(s...), tensor.WithBacking(append([]float64(nil), data...)))
	return G.NewTensor(g, tensor.Float64, s.Dims(), G.WithShape(s...), G.WithName(name), G.WithValue(v))
}

// runGrad builds ∂cost/∂wrt, runs the graph and returns the cost and the
// gradients as float64s.
func runGrad(t *testing.T, cost *G.Node, wrt ...*G.Node) (float64, [][]float64) {
	t.Helper()
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, cost.Graph())
	c := graphtest.Float64s(t, cost.Value())
	out := make([][]float64, len(grads))
	for i, gn := range grads {
		out[i] = graphtest.Float64s(t, gn.Value())
	}
	return c[0], out
}

// checkFD runs the finite-difference check on sum(R ⊙ out).
func checkFD(t *testing.T, out *G.Node, wrt ...*G.Node) {
	t.Helper()
	cost := out
	if !out.IsScalar() {
		var err error
		if cost, err = gradcheck.Projection(out, 7); err != nil {
			t.Fatal(err)
		}
	}
	if err := gradcheck.Check(cost, wrt, gradcheck.Options{}); err != nil {
		t.Error(err)
	}
}

func near(a, b, tol float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= tol
}
