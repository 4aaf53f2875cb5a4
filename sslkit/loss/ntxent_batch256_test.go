package loss

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NT-Xent's gradients at batch sizes whose two views sit a multiple of 256
// rows apart in the joined 2N×D matrix. gorgonia's Concat gradient merged
// the slices of rows 0:N and N:2N there, so both views got the first
// view's gradient (SimCLR trained on wrong gradients at batch 256 and no
// other size tried); the loss itself was right. The shared projection W
// makes it the SimCLR case: both views' gradients reach one parameter.
func TestNTXentGradientsAtBatch256(t *testing.T) {
	cases := []struct {
		n  int
		dt tensor.Dtype
	}{{256, tensor.Float64}, {256, tensor.Float32}, {255, tensor.Float64}}
	for _, c := range cases {
		func(n int, dt tensor.Dtype) {
			g := G.NewGraph()
			x1, x2 := emb(g, dt, "x1", 1, n, 3), emb(g, dt, "x2", 2, n, 3)
			w := emb(g, dt, "w", 3, 3, 2)
			z1, z2 := G.Must(G.Mul(x1, w)), G.Must(G.Mul(x2, w))
			l, err := NTXent(z1, z2, NTXentOptions{Temperature: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			// float64's default tolerance (1e-6) is tighter than a
			// 512-sample loss's finite differences resolve.
			opt := gradcheck.Options{MaxPerInput: 6, RelTol: 1e-4}
			if err := gradcheck.Check(l, G.Nodes{w, x1, x2}, opt); err != nil {
				t.Errorf("N=%d %v: %v", n, dt, err)
			}
		}(c.n, c.dt)
	}
}
