package layerfixture

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fixtures' bar: 1e-4 relative to the reference's scale (its largest
// magnitude, at least Floor: some exact gradients are zero, e.g.
// attention's key bias, and both sides then hold float32 rounding noise
// of ~1e-7).
const (
	Tol   = 1e-4
	Floor = 1e-2
)

// Match loads c's parameters and buffers into m (by state_dict name), runs
// c's input forward and sum(y ⊙ R) backward, and compares the output, the
// input gradient, every parameter gradient and the buffers after the step
// with PyTorch's.
func Match(t *testing.T, c gradcheck.Fixture, m nn.Module) {
	t.Helper()
	nn.SetTraining(m, c.Train)
	state, err := nn.StateDict(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(state) != len(c.Params) {
		t.Errorf("Go has %d parameters and buffers, PyTorch %d", len(state), len(c.Params))
	}
	for name, v := range c.Params {
		p, ok := state[name]
		if !ok {
			t.Fatalf("no parameter %q in the Go module", name)
		}
		if err := p.Set(v.Float32s()); err != nil {
			t.Fatal(err)
		}
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, len(c.Input.Shape), G.WithShape(c.Input.Shape...), G.WithName("x"), G.WithValue(c.Input.Dense()))
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape(c.Output.Shape)) {
		t.Fatalf("output shape %v, PyTorch %v", y.Shape(), c.Output.Shape)
	}
	// Read copies y when it is computed: gorgonia may later overwrite a
	// node's memory in place, so y.Value() after the run is not reliable.
	var out G.Value
	G.Read(y, &out)
	r := G.NewConstant(c.Projection.Dense(), G.WithName("R"))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	params := m.Params()
	grads, err := G.Grad(cost, append(G.Nodes{x}, nn.ParamNodes(m, g)...)...)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, g)
	compare := func(what string, v G.Value, want gradcheck.FixtureTensor) {
		t.Helper()
		gradcheck.Compare(t, what, v, want.Data, Floor, Tol)
	}
	compare("output", out, c.Output)
	compare("grad input", grads[0].Value(), c.GradInput)
	for i, p := range params {
		want, ok := c.GradParams[p.Name]
		if !ok {
			t.Errorf("PyTorch has no gradient for %s", p.Name)
			continue
		}
		compare("grad "+p.Name, grads[i+1].Value(), want)
	}
	for name, want := range c.BuffersAfter {
		compare("buffer "+name+" after the step", state[name].Value, want)
	}
}
