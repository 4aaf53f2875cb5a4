package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

// DoDiff (used by gorgonia's LispMachine) must give the same gradients as
// the symbolic path used with the TapeMachine.
func TestLispMachineMatchesSymbolic(t *testing.T) {
	build := func() (*G.ExprGraph, *G.Node, *G.Node) {
		g := G.NewGraph()
		x := input(g, tensor.Float64, "x", 5, 1, 4, 3)
		y := G.Must(L2Normalize(x, 1, DefaultNormEps))
		y = G.Must(LogSoftmax(G.Must(Gram(y)), -1))
		cost := G.Must(SumAxes(G.Must(G.HadamardProd(y, y))))
		return g, x, cost
	}
	_, x1, c1 := build()
	_, sym := runGrad(t, c1, x1)

	g, x2, c2 := build()
	vm := G.NewLispMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := x2.Grad()
	if err != nil {
		t.Fatal(err)
	}
	lisp := graphtest.Float64s(t, gv)
	_ = c2
	for i := range lisp {
		if !near(lisp[i], sym[0][i], 1e-12) {
			t.Fatalf("grad[%d]: lisp %g, symbolic %g", i, lisp[i], sym[0][i])
		}
	}
}
