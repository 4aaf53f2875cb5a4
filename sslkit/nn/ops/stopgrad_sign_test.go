package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

func TestStopGradientBlocksOnePath(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float64, "x", 1, 1, 3, 4)
	sg := G.Must(StopGradient(x))
	// cost = Σ x ⊙ sg(x): the gradient is sg(x) = x, not 2x.
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(x, sg))))
	_, grads := runGrad(t, cost, x)
	xs := graphtest.Float64s(t, x.Value())
	for i := range xs {
		if !near(grads[0][i], xs[i], 1e-12) {
			t.Fatalf("grad[%d] = %g, want %g", i, grads[0][i], xs[i])
		}
	}
}

func TestStopGradientOnlyPathIsNotDifferentiable(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, "x", 1, 1, 5)
	cost := G.Must(G.Sum(G.Must(StopGradient(x))))
	if _, err := G.Grad(cost, x); err == nil {
		t.Fatal("gradient through StopGradient alone was allowed")
	}
}

func TestStopGradientRejectsNil(t *testing.T) {
	if _, err := StopGradient(nil); err == nil {
		t.Fatal("nil accepted")
	}
}

// surrogate is the function whose derivative each estimator uses.
func surrogate(est Estimator, x float64) float64 {
	if est == ClippedSTE {
		return math.Max(-1, math.Min(1, x))
	}
	switch {
	case x < -1:
		return -1
	case x < 0:
		return 2*x + x*x
	case x < 1:
		return 2*x - x*x
	}
	return 1
}

func TestSignForwardAndSurrogateGradient(t *testing.T) {
	data := []float64{-2.5, -1.2, -0.7, -0.3, -0.05, 0, 0.05, 0.4, 0.9, 1.3, 3}
	for _, est := range []Estimator{ClippedSTE, ReActNetSTE} {
		g := G.NewGraph()
		x := inputFrom(g, "x", data, len(data))
		y := G.Must(Sign(x, est))
		w := inputFrom(g, "w", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, len(data))
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, w))))
		c, grads := runGrad(t, cost, x)
		wantC := 0.0
		for i, v := range data {
			wantC += float64(i+1) * float64(sgn(v))
			// finite difference of the surrogate, weighted like the cost
			h := 1e-6
			fd := (surrogate(est, v+h) - surrogate(est, v-h)) / (2 * h) * float64(i+1)
			if !near(grads[0][i], fd, 1e-5) {
				t.Errorf("%v: grad at %g = %g, surrogate FD %g", est, v, grads[0][i], fd)
			}
		}
		if c != wantC {
			t.Errorf("%v: cost %g, want %g", est, c, wantC)
		}
	}
}

func sgn(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func TestSignSTEFloat32AndRank4(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, "x", 3, 2, 2, 3, 2, 2)
	y := G.Must(SignSTE(x))
	if !y.Shape().Eq(x.Shape()) || y.Dtype() != tensor.Float32 {
		t.Fatalf("shape %v dtype %v", y.Shape(), y.Dtype())
	}
	cost := G.Must(G.Sum(y))
	_, grads := runGrad(t, cost, x)
	xs := graphtest.Float64s(t, x.Value())
	for i, v := range xs {
		want := 0.0
		if math.Abs(v) <= 1 {
			want = 1
		}
		if grads[0][i] != want {
			t.Fatalf("grad at %g = %g, want %g", v, grads[0][i], want)
		}
	}
}

func TestSignRejectsBadEstimator(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, "x", 3, 1, 4)
	if _, err := Sign(x, Estimator(9)); err == nil {
		t.Fatal("bad estimator accepted")
	}
}
