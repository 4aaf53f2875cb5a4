package ops

import (
	"fmt"
	"math"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type opFixture struct {
	Name   string                             `json:"name"`
	Op     string                             `json:"op"`
	Params map[string]interface{}             `json:"params"`
	Inputs map[string]gradcheck.FixtureTensor `json:"inputs"`
	Out    gradcheck.FixtureTensor            `json:"out"`
	Proj   *gradcheck.FixtureTensor           `json:"proj"`
	Grads  map[string]gradcheck.FixtureTensor `json:"grads"`
}

func loadOpFixtures(t *testing.T) []opFixture {
	t.Helper()
	var cases []opFixture
	if err := gradcheck.LoadCases("testdata/ops.json", &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no fixtures")
	}
	return cases
}

func intsParam(p map[string]interface{}, key string) []int {
	var out []int
	for _, v := range p[key].([]interface{}) {
		out = append(out, int(v.(float64)))
	}
	return out
}

// buildOp applies the fixture's op to its inputs.
func buildOp(f opFixture, in map[string]*G.Node) (*G.Node, error) {
	x := in["x"]
	p := f.Params
	switch f.Op {
	case "SumAxes":
		return SumAxes(x, intsParam(p, "axes")...)
	case "MeanAxes":
		return MeanAxes(x, intsParam(p, "axes")...)
	case "Gram":
		return Gram(x)
	case "Diag":
		return Diag(x)
	case "MaskedFill":
		return MaskedFill(x, EyeMask(x.Shape()[0]), p["value"].(float64))
	case "LogSoftmax":
		return LogSoftmax(x, int(p["axis"].(float64)))
	case "Softmax":
		return Softmax(x, int(p["axis"].(float64)))
	case "LogSumExp":
		return LogSumExp(x, int(p["axis"].(float64)))
	case "L2Normalize":
		return L2Normalize(x, int(p["axis"].(float64)), DefaultNormEps)
	case "BatchStandardize":
		return BatchStandardize(x, DefaultBNEps)
	case "CrossEntropy":
		return CrossEntropy(x, Labels(x.Graph(), "labels", intsParam(p, "labels")))
	case "CrossEntropyMaskedDiag":
		m, err := MaskedFill(x, EyeMask(x.Shape()[0]), math.Inf(-1))
		if err != nil {
			return nil, err
		}
		return CrossEntropy(m, Labels(x.Graph(), "labels", intsParam(p, "labels")))
	case "SoftCrossEntropy":
		return SoftCrossEntropy(x, in["target"])
	case "SignSTE":
		return Sign(x, ClippedSTE)
	case "SignReActNet":
		return Sign(x, ReActNetSTE)
	case "RankMean":
		return RankMean(x, int(p["lo"].(float64)), int(p["hi"].(float64)), p["skip_diag"].(bool))
	case "CentredSoftmax":
		return CentredSoftmax(x, in["centre"], p["temp"].(float64))
	case "MatchGather":
		return MatchGather(in["sfeat"], in["tfeat"], in["tvals"])
	}
	return nil, fmt.Errorf("unknown op %q", f.Op)
}

// TestOpsMatchPyTorch compares each op's output and the gradients of
// sum(R ⊙ output) with PyTorch 1.13's, to 1e-4 relative (float32).
func TestOpsMatchPyTorch(t *testing.T) {
	const tol = 1e-4
	for _, f := range loadOpFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			g := G.NewGraph()
			in := map[string]*G.Node{}
			var wrt G.Nodes
			var names []string
			for name, ft := range f.Inputs {
				in[name] = ft.Node(g, name)
				if _, ok := f.Grads[name]; ok {
					wrt = append(wrt, in[name])
					names = append(names, name)
				}
			}
			out, err := buildOp(f, in)
			if err != nil {
				t.Fatal(err)
			}
			if !out.Shape().Eq(tensor.Shape(f.Out.Shape)) && !(out.IsScalar() && len(f.Out.Shape) == 0) {
				t.Fatalf("shape %v, want %v", out.Shape(), f.Out.Shape)
			}
			var grads G.Nodes
			if f.Proj != nil {
				cost := out
				if !out.IsScalar() {
					cost = G.Must(G.Sum(G.Must(G.HadamardProd(out, f.Proj.Node(g, "proj")))))
				} else {
					cost = G.Must(G.HadamardProd(out, f.Proj.Node(g, "proj")))
				}
				if grads, err = G.Grad(cost, wrt...); err != nil {
					t.Fatal(err)
				}
			}
			graphtest.Run(t, g)
			gradcheck.Compare(t, "output", out.Value(), f.Out.Data, 1e-6, tol)
			for i, gn := range grads {
				gradcheck.Compare(t, "grad "+names[i], gn.Value(), f.Grads[names[i]].Data, 1e-6, tol)
			}
		})
	}
}
