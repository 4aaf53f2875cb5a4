package nn

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// batchNormEval gives γ·(x−μ)/sqrt(σ²+eps)+β per channel, and its
// gradients for x, γ and β agree with finite differences, for images and
// for vectors; fused with a ReLU, max(0, that).
func TestBatchNormEval(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, tc := range []struct {
		shape tensor.Shape
		relu  bool
	}{{tensor.Shape{3, 4, 5, 5}, false}, {tensor.Shape{6, 4}, false}, {tensor.Shape{3, 4, 5, 5}, true}, {tensor.Shape{6, 4}, true}} {
		shape := tc.shape
		c := shape[1]
		g := G.NewGraph()
		mk := func(name string, s tensor.Shape, f func() float64) (*G.Node, []float32) {
			d := make([]float32, s.TotalSize())
			for i := range d {
				d[i] = float32(f())
			}
			return G.NewTensor(g, tensor.Float32, s.Dims(), G.WithShape(s...), G.WithName(name),
				G.WithValue(tensor.New(tensor.WithShape(s...), tensor.WithBacking(d)))), d
		}
		x, xd := mk("x", shape, rng.NormFloat64)
		gamma, gd := mk("gamma", tensor.Shape{c}, func() float64 { return 0.5 + rng.Float64() })
		beta, bd := mk("beta", tensor.Shape{c}, rng.NormFloat64)
		mean, md := mk("mean", tensor.Shape{c}, rng.NormFloat64)
		variance, vd := mk("var", tensor.Shape{c}, func() float64 { return 0.2 + rng.Float64() })
		s := shape.TotalSize() / shape[0] / c
		if tc.relu { // keep pre-activations away from the kink, where finite differences straddle it
			for i, v := range xd {
				ch := i / s % c
				k := float64(gd[ch]) / math.Sqrt(float64(vd[ch])+1e-5)
				pre := k*(float64(v)-float64(md[ch])) + float64(bd[ch])
				if math.Abs(pre) < 0.3 {
					xd[i] = float32(float64(v) + math.Copysign(0.6, pre)/k)
				}
			}
		}
		y, err := batchNormEval(x, gamma, beta, mean, variance, 1e-5, tc.relu)
		if err != nil {
			t.Fatal(err)
		}
		var yv G.Value
		G.Read(y, &yv)
		graphtest.Run(t, g)
		got := yv.Data().([]float32)
		for i, v := range xd {
			ch := i / s % c
			want := float64(gd[ch])*(float64(v)-float64(md[ch]))/math.Sqrt(float64(vd[ch])+1e-5) + float64(bd[ch])
			if tc.relu {
				want = math.Max(want, 0)
			}
			if math.Abs(float64(got[i])-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("%v: y[%d] = %g, want %g", shape, i, got[i], want)
			}
		}
		cost, err := gradcheck.Projection(y, 5)
		if err != nil {
			t.Fatal(err)
		}
		if err := gradcheck.Check(cost, G.Nodes{x, gamma, beta}, gradcheck.Options{}); err != nil {
			t.Errorf("%v: %v", shape, err)
		}
	}
}
