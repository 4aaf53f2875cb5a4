package ops

import (
	"context"
	"errors"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// Every op of this package, forward and gradient, is a customop.Op and
// stops with the notebook interrupt's error (customop.Op.Do checks
// sslkit/ambient before it reads its inputs).
func TestEveryOpHonoursInterrupt(t *testing.T) {
	cases := append(fdCases[:len(fdCases):len(fdCases)], []struct {
		name  string
		shape []int
		build func(x *G.Node) (*G.Node, error)
	}{
		{"Gram", []int{3, 4}, Gram},
		{"SignSTE", []int{3, 4}, SignSTE},
		{"StopGradient", []int{3, 4}, StopGradient},
	}...)
	ctx, cancel := context.WithCancel(context.Background())
	defer ambient.Set(ctx)()
	cancel()
	for _, c := range cases {
		g := G.NewGraph()
		x := input(g, tensor.Float64, "x", 1, 1, c.shape...)
		out, err := c.build(x)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cost := G.Must(G.Sum(G.Must(G.Reshape(out, tensor.Shape{out.Shape().TotalSize()}))))
		if _, err := G.Grad(cost, x); err != nil && c.name != "StopGradient" {
			t.Fatalf("%s: %v", c.name, err)
		}
		ours := 0
		for _, n := range g.AllNodes() {
			op, ok := n.Op().(*customop.Op)
			if !ok {
				continue
			}
			ours++
			if _, err := op.Do(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s: op %s: err = %v, want context.Canceled", c.name, op.Name, err)
			}
		}
		if ours == 0 {
			t.Errorf("%s: no customop.Op in the graph", c.name)
		}
	}
}
