package nn

import (
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type reluMod struct{}

func (reluMod) Forward(x *G.Node) (*G.Node, error) { return relu(x) }
func (reluMod) Params() []*Param                   { return nil }

type maxPoolMod struct{ k, s, p int }

func (m maxPoolMod) Forward(x *G.Node) (*G.Node, error) { return maxPool2d(x, m.k, m.s, m.p) }
func (maxPoolMod) Params() []*Param                     { return nil }

func TestReLUAndMaxPoolGradients(t *testing.T) {
	checkGradients(t, reluMod{}, tensor.Shape{3, 2, 4, 4}, gradcheck.Options{})
	checkGradients(t, reluMod{}, tensor.Shape{5, 7}, gradcheck.Options{})
	for _, c := range []struct {
		m     maxPoolMod
		shape tensor.Shape
	}{
		{maxPoolMod{2, 2, 0}, tensor.Shape{2, 3, 4, 4}},
		{maxPoolMod{3, 2, 1}, tensor.Shape{2, 2, 7, 7}},
		{maxPoolMod{3, 1, 1}, tensor.Shape{1, 2, 5, 5}},
	} {
		// Distinct values 0.05 apart (a shuffled ramp): no two values of
		// a window lie within the finite-difference step of each other.
		n := c.shape.TotalSize()
		vals := make([]float32, n)
		for i, p := range rand.New(rand.NewSource(9)).Perm(n) {
			vals[i] = 0.05 * float32(p-n/2)
		}
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(c.shape...), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(vals))))
		y, err := c.m.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := gradcheck.Projection(y, 11)
		if err != nil {
			t.Fatal(err)
		}
		if err := gradcheck.Check(cost, G.Nodes{x}, gradcheck.Options{}); err != nil {
			t.Errorf("max pool %+v on %v: %v", c.m, c.shape, err)
		}
	}
}

// Forward values agree with gorgonia's Rectify and MaxPool2D (which the
// layers used before) and, with padding, with the definition.
func TestReLUAndMaxPoolForward(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	shape := tensor.Shape{4, 3, 8, 8}
	data := rnd(rng, shape.TotalSize())
	run := func(build func(x *G.Node) (*G.Node, error)) []float32 {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), data...)))))
		y, err := build(x)
		if err != nil {
			t.Fatal(err)
		}
		var v G.Value
		G.Read(y, &v)
		graphtest.Run(t, g)
		return v.Data().([]float32)
	}
	same := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
			}
		}
	}
	same("relu", run(relu), run(G.Rectify))
	same("maxpool k2", run(func(x *G.Node) (*G.Node, error) { return maxPool2d(x, 2, 2, 0) }),
		run(func(x *G.Node) (*G.Node, error) { return G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}) }))
	// k3 s2 p1 on 8×8: 4×4 outputs; padding never wins.
	got := run(func(x *G.Node) (*G.Node, error) { return maxPool2d(x, 3, 2, 1) })
	want := make([]float32, 0, len(got))
	for pl := 0; pl < 12; pl++ {
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				var m float32 = -1e30
				for a := -1; a <= 1; a++ {
					for b := -1; b <= 1; b++ {
						r, c := 2*i+a, 2*j+b
						if r >= 0 && r < 8 && c >= 0 && c < 8 && data[pl*64+r*8+c] > m {
							m = data[pl*64+r*8+c]
						}
					}
				}
				want = append(want, m)
			}
		}
	}
	same("maxpool k3 s2 p1", got, want)
	if _, err := maxPool2d(G.NewTensor(G.NewGraph(), tensor.Float32, 4, G.WithShape(1, 1, 2, 2)), 5, 1, 0); err == nil {
		t.Error("a 5×5 window on a 2×2 input was accepted")
	}
}

// addReLU (a residual block's end) against finite differences in both
// inputs, and its value against relu(a + b).
func TestAddReLUGradients(t *testing.T) {
	shape := tensor.Shape{2, 3, 4, 4}
	n := shape.TotalSize()
	rng := rand.New(rand.NewSource(4))
	a, b := make([]float32, n), make([]float32, n)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
		s := float32(0.3 + rng.Float64()) // a + b at least 0.3 away from the kink
		if rng.Intn(2) == 0 {
			s = -s
		}
		b[i] = s - a[i]
	}
	g := G.NewGraph()
	an := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("a"), G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(a))))
	bn := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("b"), G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))))
	y, err := addReLU(an, bn)
	if err != nil {
		t.Fatal(err)
	}
	got := graphtest.Eval(t, y)
	for i := range a {
		want := float64(a[i] + b[i])
		if want < 0 {
			want = 0
		}
		if d := got[i] - want; d > 1e-6 || d < -1e-6 {
			t.Fatalf("y[%d] = %g, want %g", i, got[i], want)
		}
	}
	cost, err := gradcheck.Projection(y, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := gradcheck.Check(cost, G.Nodes{an, bn}, gradcheck.Options{}); err != nil {
		t.Error(err)
	}
}
