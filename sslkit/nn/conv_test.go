package nn

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The grouped-image GEMM path with a partial last group (5 images, 100
// columns each: groups of 3 and 2) against gorgonia's own Conv2d.
func TestConvMatchesGorgoniaAcrossImageGroups(t *testing.T) {
	for _, c := range []struct{ k, s, p, d int }{{3, 1, 1, 1}, {3, 2, 2, 2}, {1, 1, 0, 1}} {
		convAgainstGorgonia(t, tensor.Shape{5, 2, 10, 10}, tensor.Shape{3, 2, c.k, c.k}, c.s, c.p, c.d, 1)
	}
}

// convAgainstGorgonia compares conv2d's output and gradients with those of
// gorgonia's own Conv2d, whose forward and gradients are right, only heavy.
// The filters are drawn from ±wScale.
func convAgainstGorgonia(t *testing.T, xs, ws tensor.Shape, s, p, d int, wScale float64) {
	t.Helper()
	k := ws[2]
	run := func(own bool) [][]float64 {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xs...), G.WithName("x"), G.WithValue(gradcheck.RandomTensor(tensor.Float32, xs, 1, 1)))
		w := G.NewTensor(g, tensor.Float32, 4, G.WithShape(ws...), G.WithName("w"), G.WithValue(gradcheck.RandomTensor(tensor.Float32, ws, 2, wScale)))
		var y *G.Node
		var err error
		if own {
			y, err = conv2d(x, w, s, p, d)
		} else {
			y, err = G.Conv2d(x, w, tensor.Shape{k, k}, []int{p, p}, []int{s, s}, []int{d, d})
		}
		if err != nil {
			t.Fatal(err)
		}
		var out G.Value
		G.Read(y, &out)
		cost, _ := gradcheck.Projection(y, 3)
		grads, err := G.Grad(cost, x, w)
		if err != nil {
			t.Fatal(err)
		}
		graphtest.Run(t, g)
		o, _ := gradcheck.Float64s(out)
		dx, _ := gradcheck.Float64s(grads[0].Value())
		dw, _ := gradcheck.Float64s(grads[1].Value())
		return [][]float64{o, dx, dw}
	}
	own, ref := run(true), run(false)
	for i, what := range []string{"output", "grad x", "grad w"} {
		if e, err := gradcheck.RelErr(own[i], ref[i], 1e-2); err != nil || e > 1e-5 {
			t.Errorf("x %v, w %v, stride %d, pad %d, dilation %d, %s: relative error %.3g %v", xs, ws, s, p, d, what, e, err)
		}
	}
}
