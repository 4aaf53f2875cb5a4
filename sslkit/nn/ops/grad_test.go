package ops

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

// cost = Σ (a ⊙ StopGradient(b))², with c unused: gorgonia.Grad refuses
// b and c; Grad gives them zeros and a's true gradient 2·a·b².
func TestGradGivesZerosForDetachedInputs(t *testing.T) {
	g := G.NewGraph()
	a := inputFrom(g, "a", []float64{1, 2, 3}, 3)
	b := inputFrom(g, "b", []float64{4, 5, 6}, 3)
	c := inputFrom(g, "c", []float64{7, 8}, 2)
	bd, err := StopGradient(b)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := SumSquares(G.Must(G.HadamardProd(a, bd)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(cost, a, b); err == nil || !strings.Contains(err.Error(), "Non Differentiable WRTs") {
		t.Fatalf("gorgonia.Grad with a detached input: %v (the case Grad exists for)", err)
	}
	grads, err := Grad(cost, b, a, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(grads) != 3 {
		t.Fatalf("%d gradients for 3 inputs", len(grads))
	}
	for i, want := range []string{"detached: reaches the cost only through ops without a gradient", "", "detached: does not reach the cost"} {
		if got := grads[i].Name(); want != "" && !strings.Contains(got, want) {
			t.Errorf("gradient %d named %q, want it to say %q", i, got, want)
		}
	}
	if !grads[2].Shape().Eq(tensor.Shape{2}) || grads[2].Dtype() != tensor.Float64 {
		t.Errorf("zero gradient of c is %v %v, want c's (2) float64", grads[2].Shape(), grads[2].Dtype())
	}
	graphtest.Run(t, g)
	ga, gb, gc := graphtest.Float64s(t, grads[1].Value()), graphtest.Float64s(t, grads[0].Value()), graphtest.Float64s(t, grads[2].Value())
	for i, want := range []float64{2 * 1 * 16, 2 * 2 * 25, 2 * 3 * 36} {
		if !near(ga[i], want, 1e-9) {
			t.Errorf("∂/∂a[%d] = %g, want %g", i, ga[i], want)
		}
	}
	for _, v := range append(gb, gc...) {
		if v != 0 {
			t.Errorf("detached gradients %v %v, want zeros", gb, gc)
			break
		}
	}
}

func TestGradAllDetachedAndErrors(t *testing.T) {
	g := G.NewGraph()
	a := inputFrom(g, "a", []float64{1, 2}, 2)
	ad, _ := StopGradient(a)
	cost, _ := SumSquares(ad)
	grads, err := Grad(cost, a)
	if err != nil || len(grads) != 1 {
		t.Fatalf("all inputs detached: %v %v", grads, err)
	}
	if _, err := Grad(cost, a, nil); err == nil || !strings.Contains(err.Error(), "input 1 is nil") {
		t.Errorf("nil input: %v", err)
	}
	other := inputFrom(G.NewGraph(), "o", []float64{1}, 1)
	if _, err := Grad(cost, other); err == nil || !strings.Contains(err.Error(), "another graph") {
		t.Errorf("input of another graph: %v", err)
	}
	if _, err := Grad(ad, a); err == nil {
		t.Error("non-scalar cost accepted")
	}
}
