package loss

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Every input a loss detaches gets a zero gradient from ops.Grad while the
// online inputs get non-zero ones: InfoNCE's queue and key, DisCo's
// teachers, the BYOL target. (The queue once received a gradient.)
func TestDetachedInputsGetZeroGradients(t *testing.T) {
	g := G.NewGraph()
	q := emb(g, tensor.Float64, "q", 1, 4, 3)
	k := emb(g, tensor.Float64, "k", 2, 4, 3)
	queue := emb(g, tensor.Float64, "queue", 3, 6, 3)
	tq := emb(g, tensor.Float64, "tq", 4, 4, 3)
	nce, err := InfoNCE(q, k, queue, DefaultInfoNCEOptions())
	if err != nil {
		t.Fatal(err)
	}
	disco, err := DisCo(q, k, queue, tq, nil, nil, DefaultDisCoOptions())
	if err != nil {
		t.Fatal(err)
	}
	cost := G.Must(G.Add(nce, disco))
	grads, err := ops.Grad(cost, q, k, queue, tq)
	if err != nil {
		t.Fatal(err)
	}
	graphtest.Run(t, g)
	for i, name := range []string{"q", "k", "queue", "tq"} {
		v, err := gradcheck.Float64s(grads[i].Value())
		if err != nil {
			t.Fatal(err)
		}
		nonzero := false
		for _, x := range v {
			nonzero = nonzero || x != 0
		}
		if want := name == "q"; nonzero != want {
			t.Errorf("∂cost/∂%s = %v; want non-zero only for q", name, v)
		}
	}
}
