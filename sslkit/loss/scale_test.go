package loss

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// valueAndGrads runs loss(z1, z2) forward and backward in dtype dt on fixed
// inputs and returns the value and both gradients.
func valueAndGrads(t *testing.T, dt tensor.Dtype, n, d int, loss func(a, b *G.Node) (*G.Node, error)) [][]float64 {
	g := G.NewGraph()
	z1, z2 := emb(g, dt, "z1", 1, n, d), emb(g, dt, "z2", 2, n, d)
	l, err := loss(z1, z2)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(l, z1, z2)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, g)
	var out [][]float64
	for _, n := range append(G.Nodes{l}, grads...) {
		f, err := gradcheck.Float64s(n.Value())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// At realistic sizes (millions of terms) float32 must still agree with the
// float64 computation to 1e-4 relative: this catches float32 accumulation
// drift that the small PyTorch fixtures cannot.
func TestFloat32PrecisionAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("large shapes")
	}
	cases := []struct {
		name string
		n, d int
		loss func(a, b *G.Node) (*G.Node, error)
	}{
		{"NTXent 256x128", 256, 128, func(a, b *G.Node) (*G.Node, error) { return NTXent(a, b, DefaultNTXentOptions()) }},
		{"BarlowTwins 128x1024", 128, 1024, func(a, b *G.Node) (*G.Node, error) { return BarlowTwins(a, b, DefaultBarlowTwinsOptions()) }},
	}
	for _, c := range cases {
		f32 := valueAndGrads(t, tensor.Float32, c.n, c.d, c.loss)
		f64 := valueAndGrads(t, tensor.Float64, c.n, c.d, c.loss)
		for i, what := range []string{"value", "grad z1", "grad z2"} {
			e, err := gradcheck.RelErr(f32[i], f64[i], 1e-12)
			if err != nil || e > 1e-4 {
				t.Errorf("%s %s: float32 vs float64 rel err %.3g %v", c.name, what, e, err)
			}
		}
	}
}
