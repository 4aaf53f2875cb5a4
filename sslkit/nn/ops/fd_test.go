package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

// fdCases are the differentiable ops of this package, each on an input
// of a given shape.
var fdCases = []struct {
	name  string
	shape []int
	build func(x *G.Node) (*G.Node, error)
}{
	{"SumAxes(0,2)", []int{2, 3, 4, 2}, func(x *G.Node) (*G.Node, error) { return SumAxes(x, 0, 2) }},
	{"SumAxes(2,3)", []int{2, 3, 4, 2}, func(x *G.Node) (*G.Node, error) { return SumAxes(x, 2, -1) }},
	{"SumAxes(all)", []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) { return SumAxes(x) }},
	{"MeanAxes(1,3)", []int{2, 3, 4, 2}, func(x *G.Node) (*G.Node, error) { return MeanAxes(x, 1, 3) }},
	{"Diag", []int{4, 5}, Diag},
	{"SumSquares", []int{3, 4}, SumSquares},
	{"MaskedFill", []int{3, 3}, func(x *G.Node) (*G.Node, error) { return MaskedFill(x, EyeMask(3), -7) }},
	{"LogSoftmax(-1)", []int{3, 5}, func(x *G.Node) (*G.Node, error) { return LogSoftmax(x, -1) }},
	{"LogSoftmax(1) 3-D", []int{2, 4, 3}, func(x *G.Node) (*G.Node, error) { return LogSoftmax(x, 1) }},
	{"Softmax", []int{3, 5}, func(x *G.Node) (*G.Node, error) { return Softmax(x, 1) }},
	{"LogSumExp(0)", []int{4, 3}, func(x *G.Node) (*G.Node, error) { return LogSumExp(x, 0) }},
	{"LogSumExp(-1) 3-D", []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) { return LogSumExp(x, -1) }},
	{"L2Normalize(1)", []int{4, 6}, func(x *G.Node) (*G.Node, error) { return L2Normalize(x, 1, DefaultNormEps) }},
	{"L2Normalize(0) 3-D", []int{3, 2, 4}, func(x *G.Node) (*G.Node, error) { return L2Normalize(x, 0, DefaultNormEps) }},
	{"BatchStandardize", []int{6, 4}, func(x *G.Node) (*G.Node, error) { return BatchStandardize(x, DefaultBNEps) }},
	{"RankMean(1,4,diag)", []int{6, 6}, func(x *G.Node) (*G.Node, error) { return RankMean(x, 1, 4, true) }},
	{"RankMean(2,3)", []int{3, 5}, func(x *G.Node) (*G.Node, error) { return RankMean(x, 2, 3, false) }},
	{"CrossEntropy", []int{4, 5}, func(x *G.Node) (*G.Node, error) {
		return CrossEntropy(x, Labels(x.Graph(), "y", []int{0, 4, 2, 2}))
	}},
	{"CrossEntropy after mask", []int{4, 4}, func(x *G.Node) (*G.Node, error) {
		m, err := MaskedFill(x, EyeMask(4), math.Inf(-1))
		if err != nil {
			return nil, err
		}
		return CrossEntropy(m, Labels(x.Graph(), "y", []int{1, 0, 3, 2}))
	}},
	{"CrossEntropyOffDiagonal", []int{4, 4}, func(x *G.Node) (*G.Node, error) {
		return CrossEntropyOffDiagonal(x, Labels(x.Graph(), "y", []int{1, 0, 3, 2}))
	}},
	{"ScaledL2Normalize(1)", []int{4, 6}, func(x *G.Node) (*G.Node, error) { return ScaledL2Normalize(x, 1, DefaultNormEps, 1.7) }},
	{"ScaledL2Normalize(0) 3-D", []int{3, 2, 4}, func(x *G.Node) (*G.Node, error) { return ScaledL2Normalize(x, 0, DefaultNormEps, 0.6) }},
	{"Concat(1)", []int{3, 4}, func(x *G.Node) (*G.Node, error) {
		s, err := Slice(x, 1, 1, 3)
		if err != nil {
			return nil, err
		}
		return Concat(1, x, s)
	}},
	{"SoftCrossEntropy", []int{2, 3, 4}, func(x *G.Node) (*G.Node, error) {
		tgt := G.NewTensor(x.Graph(), x.Dtype(), 3, G.WithShape(2, 3, 4), G.WithName("target"),
			G.WithValue(tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(probs(x.Dtype(), 6, 4)))))
		return SoftCrossEntropy(x, tgt)
	}},
}

// Every differentiable op against finite differences, in float64 (tight)
// and float32 (the default dtype, looser tolerances).
func TestOpsFiniteDifferences(t *testing.T) {
	for _, c := range fdCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				g := G.NewGraph()
				x := input(g, dt, "x", 11, 2, c.shape...)
				out, err := c.build(x)
				if err != nil {
					t.Fatal(err)
				}
				if out.Dtype() != dt {
					t.Fatalf("output dtype %v", out.Dtype())
				}
				checkFD(t, out, x)
			})
		}
	}
}

// BarlowTwinsTerms in both of its forms (N ≤ D: from the Gram matrices;
// N > D: from C), against finite differences in both inputs and against
// the direct formula.
func TestBarlowTwinsTermsFiniteDifferences(t *testing.T) {
	for _, sh := range [][]int{{3, 5}, {6, 4}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			g := G.NewGraph()
			a := input(g, dt, "a", 3, 1, sh...)
			b := input(g, dt, "b", 4, 1, sh...)
			out := G.Must(BarlowTwinsTerms(a, b, 0.3))
			checkFD(t, out, a, b)
			got := graphtest.Eval(t, out)[0]
			av, bv := graphtest.Float64s(t, a.Value()), graphtest.Float64s(t, b.Value())
			n, d := sh[0], sh[1]
			want := 0.0
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					c := 0.0
					for r := 0; r < n; r++ {
						c += av[r*d+i] * bv[r*d+j]
					}
					c /= float64(n)
					if i == j {
						want += (c - 1) * (c - 1)
					} else {
						want += 0.3 * c * c
					}
				}
			}
			if !near(got, want, 1e-4*math.Max(1, math.Abs(want))) {
				t.Errorf("%v %v: loss %g, want %g", sh, dt, got, want)
			}
		}
	}
}

// probs returns rows of a fixed probability distribution.
func probs(dt tensor.Dtype, rows, cols int) interface{} {
	p := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		s := 0.0
		for c := 0; c < cols; c++ {
			p[r*cols+c] = float64((r+2*c)%5 + 1)
			s += p[r*cols+c]
		}
		for c := 0; c < cols; c++ {
			p[r*cols+c] /= s
		}
	}
	if dt == tensor.Float64 {
		return p
	}
	f := make([]float32, len(p))
	for i, v := range p {
		f[i] = float32(v)
	}
	return f
}

// SoftCrossEntropy must also be right w.r.t. its target.
func TestSoftCrossEntropyTargetGradient(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float64, "x", 1, 2, 3, 4)
	tg := input(g, tensor.Float64, "t", 2, 1, 3, 4)
	checkFD(t, G.Must(SoftCrossEntropy(x, tg)), x, tg)
}

func TestGramFiniteDifferencesAndValue(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		x := input(g, dt, "x", 4, 1, 5, 3)
		out := G.Must(Gram(x))
		checkFD(t, out, x)
		got := graphtest.Eval(t, out)
		xs := graphtest.Float64s(t, x.Value())
		for i := 0; i < 5; i++ {
			for j := 0; j < 5; j++ {
				want := 0.0
				for k := 0; k < 3; k++ {
					want += xs[i*3+k] * xs[j*3+k]
				}
				if !near(got[i*5+j], want, 1e-5) {
					t.Fatalf("%v: gram[%d,%d] = %g, want %g", dt, i, j, got[i*5+j], want)
				}
			}
		}
	}
}
