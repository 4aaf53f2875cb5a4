package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
)

func TestOpsRejectBadInput(t *testing.T) {
	g := G.NewGraph()
	m := input(g, tensor.Float32, "m", 1, 1, 3, 4)
	v := input(g, tensor.Float32, "v", 2, 1, 3)
	d64 := input(g, tensor.Float64, "d", 3, 1, 3, 4)
	bad := map[string]func() (*G.Node, error){
		"SumAxes repeated axis":     func() (*G.Node, error) { return SumAxes(m, 1, -1) },
		"SumAxes axis out of range": func() (*G.Node, error) { return SumAxes(m, 2) },
		"Diag of a vector":          func() (*G.Node, error) { return Diag(v) },
		"MaskedFill short mask":     func() (*G.Node, error) { return MaskedFill(m, make([]bool, 5), 0) },
		"LogSoftmax bad axis":       func() (*G.Node, error) { return LogSoftmax(m, 3) },
		"CrossEntropy float labels": func() (*G.Node, error) { return CrossEntropy(m, v) },
		"CrossEntropy label count": func() (*G.Node, error) {
			return CrossEntropy(m, Labels(g, "y4", []int{0, 1, 2, 3}))
		},
		"SoftCrossEntropy shapes": func() (*G.Node, error) { return SoftCrossEntropy(m, v) },
		"SoftCrossEntropy dtypes": func() (*G.Node, error) { return SoftCrossEntropy(m, d64) },
		"L2Normalize eps 0":       func() (*G.Node, error) { return L2Normalize(m, 1, 0) },
		"BatchStandardize vector": func() (*G.Node, error) { return BatchStandardize(v, 1e-5) },
		"RankMean too many ranks": func() (*G.Node, error) { return RankMean(m, 0, 5, false) },
		"RankMean skipDiag on 3×4": func() (*G.Node, error) {
			return RankMean(m, 0, 1, true)
		},
		"CentredSoftmax centre size": func() (*G.Node, error) { return CentredSoftmax(m, v, 0.1) },
		"MatchGather ranks":          func() (*G.Node, error) { return MatchGather(m, m, m) },
		"Sign nil":                   func() (*G.Node, error) { return SignSTE(nil) },
	}
	for name, f := range bad {
		if _, err := f(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// An out-of-range label is caught when the graph runs, as an error.
func TestCrossEntropyLabelOutOfRangeAtRun(t *testing.T) {
	g := G.NewGraph()
	x := input(g, tensor.Float32, "x", 1, 1, 2, 3)
	l := G.Must(CrossEntropy(x, Labels(g, "y", []int{0, 3})))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err == nil {
		t.Fatalf("label 3 of 3 classes accepted: %v", l.Value())
	}
}

// A column slice is a strided view; ops must read it in logical order.
func TestOpsReadStridedViews(t *testing.T) {
	g := G.NewGraph()
	x := inputFrom(g, "x", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4)
	col := G.Must(G.Slice(x, nil, G.S(1, 3))) // 3×2: [2 3; 6 7; 10 11]
	got := graphtest.Eval(t, G.Must(SumAxes(col, 0)))
	if got[0] != 18 || got[1] != 21 {
		t.Fatalf("column sums %v, want [18 21]", got)
	}
}

// Huge logits must neither overflow nor lose the answer.
func TestCrossEntropyAndLogSumExpAreStable(t *testing.T) {
	g := G.NewGraph()
	x := inputFrom(g, "x", []float64{1000, 0, -1000, 0, 1000, 999}, 2, 3)
	ce := G.Must(CrossEntropy(x, Labels(g, "y", []int{1, 2})))
	lse := G.Must(LogSumExp(x, 1))
	graphtest.Run(t, g)
	// row 0: −log softmax[1] = 1000; row 1: lse = 1000 + log(1 + e⁻¹), −log softmax[2] = log(1 + e).
	want := (1000 + 1.3132616875182228) / 2
	if got := graphtest.Float64s(t, ce.Value())[0]; !near(got, want, 1e-9) {
		t.Errorf("cross-entropy %g, want %g", got, want)
	}
	if got := graphtest.Float64s(t, lse.Value()); !near(got[0], 1000, 1e-9) || !near(got[1], 1000.3132616875182, 1e-9) {
		t.Errorf("logsumexp %v", got)
	}
}
