package backbone

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Composite blocks against PyTorch (testdata/gen_fixtures.py): torchvision's
// MBConv and a tiny window-attention ViT, output and every gradient to
// 1e-4 relative (scale floor 1e-2, as in sslkit/nn).
func TestBlocksMatchPyTorch(t *testing.T) {
	fx, err := gradcheck.LoadFixtures("testdata/blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	build := map[string]func() (nn.Module, error){
		"mbconv_residual": func() (nn.Module, error) { return newMBConv("blk", 8, 8, 6, 5, 1, nil) },
		"mbconv_stride":   func() (nn.Module, error) { return newMBConv("blk", 8, 16, 1, 3, 2, nil) },
		"tiny_vit": func() (nn.Module, error) {
			return NewViT(ViTConfig{ImageSize: 8, PatchSize: 2, Dims: []int{8, 16}, Depths: []int{2, 1},
				Heads: []int{2, 2}, Window: 2, MLPRatio: 2}, nil)
		},
	}
	if len(fx) != len(build) {
		t.Errorf("%d fixtures, %d Go cases", len(fx), len(build))
	}
	for name, mk := range build {
		c, ok := fx[name]
		if !ok {
			t.Errorf("no fixture %q", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			m, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			matchFixture(t, c, m)
		})
	}
}

func matchFixture(t *testing.T, c gradcheck.Fixture, m nn.Module) {
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
			t.Fatalf("no %s in the Go module", name)
		}
		if err := p.Set(v.Float32s()); err != nil {
			t.Fatal(err)
		}
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, len(c.Input.Shape), G.WithShape(c.Input.Shape...), G.WithValue(c.Input.Dense()))
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	var out G.Value
	G.Read(y, &out)
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NewConstant(c.Projection.Dense())))))
	params := m.Params()
	grads, err := G.Grad(cost, append(G.Nodes{x}, nn.ParamNodes(m, g)...)...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	check := func(what string, v G.Value, want gradcheck.FixtureTensor) {
		got, err := gradcheck.Float64s(v)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if e, err := gradcheck.RelErr(got, want.Data, 1e-2); err != nil || e > 1e-4 {
			t.Errorf("%s: relative error %.3g %v", what, e, err)
		}
	}
	check("output", out, c.Output)
	check("grad input", grads[0].Value(), c.GradInput)
	for i, p := range params {
		check("grad "+p.Name, grads[i+1].Value(), c.GradParams[p.Name])
	}
	for name, want := range c.BuffersAfter {
		check(name+" after the step", state[name].Value, want)
	}
}
