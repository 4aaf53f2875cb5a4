package gradcheck

import (
	"errors"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func input(g *G.ExprGraph, dt tensor.Dtype, shape tensor.Shape, seed int64) *G.Node {
	return G.NewTensor(g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(RandomTensor(dt, shape, seed, 1)))
}

// Tanh's gradient in gorgonia is right: Check must accept it.
func TestCheckAcceptsCorrectGradient(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		g := G.NewGraph()
		x := input(g, dt, tensor.Shape{3, 4}, 1)
		y := G.Must(G.Tanh(x))
		cost, err := Projection(y, 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(cost, G.Nodes{x}, Options{}); err != nil {
			t.Errorf("%v: %v", dt, err)
		}
	}
}

// Log2's gradient in gorgonia v0.9.18 is documented as wrong: Check must
// catch it. This is what makes the checker trustworthy.
func TestCheckCatchesWrongGradient(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 1, G.WithShape(5), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{0.5, 1, 2, 3, 4}))))
	y := G.Must(G.Log2(x))
	cost, err := Projection(y, 3)
	if err != nil {
		t.Fatal(err)
	}
	err = Check(cost, G.Nodes{x}, Options{})
	var ge *Error
	if !errors.As(err, &ge) || len(ge.Mismatches) == 0 {
		t.Fatalf("wrong Log2 gradient not detected: %v", err)
	}
}

func TestCheckRestoresValues(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, tensor.Shape{2, 3}, 4)
	before, _ := Float64s(x.Value())
	cost, _ := Projection(G.Must(G.Square(x)), 5)
	if err := Check(cost, G.Nodes{x}, Options{MaxPerInput: 4}); err != nil {
		t.Fatal(err)
	}
	after, _ := Float64s(x.Value())
	if e, _ := RelErr(after, before, 1); e != 0 {
		t.Fatalf("input changed by the check: rel err %g", e)
	}
}

func TestCheckRejectsNonScalarCost(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, tensor.Shape{2, 3}, 4)
	if err := Check(x, G.Nodes{x}, Options{}); err == nil {
		t.Fatal("non-scalar cost accepted")
	}
}

func TestRelErr(t *testing.T) {
	e, err := RelErr([]float64{1, 2.001}, []float64{1, 2}, 1e-12)
	if err != nil || e < 4.9e-4 || e > 5.1e-4 {
		t.Fatalf("RelErr = %g, %v; want 5e-4", e, err)
	}
	if _, err := RelErr([]float64{1}, []float64{1, 2}, 1); err == nil {
		t.Fatal("length mismatch accepted")
	}
}
