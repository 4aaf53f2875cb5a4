package loss

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// emb adds a named random N×D (or any shape) input node to g.
func emb(g *G.ExprGraph, dt tensor.Dtype, name string, seed int64, shape ...int) *G.Node {
	s := tensor.Shape(shape)
	return G.NewTensor(g, dt, s.Dims(), G.WithShape(s...), G.WithName(name),
		G.WithValue(gradcheck.RandomTensor(dt, s, seed, 1)))
}

func fdCheck(t *testing.T, cost *G.Node, wrt ...*G.Node) {
	t.Helper()
	if err := gradcheck.Check(cost, wrt, gradcheck.Options{}); err != nil {
		t.Error(err)
	}
}

func evalScalar(t *testing.T, n *G.Node) float64 {
	t.Helper()
	return graphtest.Eval(t, n)[0]
}
