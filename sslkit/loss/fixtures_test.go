package loss

import (
	"fmt"
	"sort"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type lossFixture struct {
	Name   string                             `json:"name"`
	Loss   string                             `json:"loss"`
	Params map[string]interface{}             `json:"params"`
	Inputs map[string]gradcheck.FixtureTensor `json:"inputs"`
	Value  float64                            `json:"value"`
	Grads  map[string]gradcheck.FixtureTensor `json:"grads"`
}

// set overwrites *dst with params[key] when the fixture gives it.
func set(p map[string]interface{}, key string, dst *float64) {
	if v, ok := p[key]; ok {
		*dst = v.(float64)
	}
}

func setInt(p map[string]interface{}, key string, dst *int) {
	if v, ok := p[key]; ok {
		*dst = int(v.(float64))
	}
}

// buildLoss builds the fixture's loss from its input nodes (float32, as
// PyTorch computed). Options start from the Default…Options constructors
// and params overwrite them, so the fixtures also pin the defaults.
func buildLoss(f lossFixture, in map[string]*G.Node) (*G.Node, error) {
	p := f.Params
	switch f.Loss {
	case "NTXent":
		opt := DefaultNTXentOptions()
		set(p, "temperature", &opt.Temperature)
		return NTXent(in["z1"], in["z2"], opt)
	case "BarlowTwins":
		opt := DefaultBarlowTwinsOptions()
		set(p, "scale", &opt.Scale)
		set(p, "lambda", &opt.Lambda)
		return BarlowTwins(in["z1"], in["z2"], opt)
	case "SimSiam":
		return SimSiam(in["p1"], in["p2"], in["z1"], in["z2"])
	case "BYOLSymmetric":
		return BYOLSymmetric(in["p1"], in["p2"], in["z1"], in["z2"])
	case "InfoNCE":
		opt := DefaultInfoNCEOptions()
		set(p, "temperature", &opt.Temperature)
		opt.SkipNormalize = p["skip_normalize"] == true
		return InfoNCE(in["q"], in["k"], in["queue"], opt)
	case "BYOL":
		return BYOL(in["p"], in["z"])
	case "Triplet", "TripletSymmetric":
		opt := DefaultTripletOptions()
		set(p, "gamma", &opt.Gamma)
		set(p, "margin", &opt.Margin)
		setInt(p, "lo", &opt.Lo)
		setInt(p, "hi", &opt.Hi)
		if p["variant"] == "median" {
			opt.Variant = Median
		}
		if f.Loss == "Triplet" {
			return Triplet(in["p"], in["t"], opt)
		}
		return TripletSymmetric(in["p1"], in["p2"], in["t1"], in["t2"], opt)
	case "DisCo":
		opt := DefaultDisCoOptions()
		set(p, "weight", &opt.Weight)
		switch p["reduction"] {
		case "batch-mean":
			opt.Reduction = DisCoBatchMean
		case "mean":
			opt.Reduction = DisCoMean
		}
		return DisCo(in["q"], in["k"], in["queue"], in["tq"], in["sk"], in["tk"], opt)
	case "Distill":
		opt := DefaultDistillOptions()
		set(p, "temperature", &opt.Temperature)
		opt.SkipNormalize = p["skip_normalize"] == true
		return Distill(in["s"], in["t"], opt)
	case "DINO":
		opt := DefaultDINOOptions()
		set(p, "student_temp", &opt.StudentTemp)
		set(p, "teacher_temp", &opt.TeacherTemp)
		set(p, "momentum", &opt.CentreMomentum)
		d, err := NewDINO(in["s0"].Shape()[1], tensor.Float32, opt)
		if err != nil {
			return nil, err
		}
		if err := d.UpdateCentre(in["prev0"].Value(), in["prev1"].Value()); err != nil {
			return nil, err
		}
		return d.Loss([]*G.Node{in["s0"], in["s1"], in["s2"], in["s3"]}, []*G.Node{in["t0"], in["t1"]})
	case "EsViT":
		e, err := NewEsViT(in["sv0"].Shape()[1], in["sl0"].Shape()[2], tensor.Float32, DefaultDINOOptions())
		if err != nil {
			return nil, err
		}
		if err := e.View.UpdateCentre(in["prevv0"].Value(), in["prevv1"].Value()); err != nil {
			return nil, err
		}
		if err := e.Region.UpdateCentre(in["prevr0"].Value(), in["prevr1"].Value()); err != nil {
			return nil, err
		}
		var sv, tv []*G.Node
		var sr, tr []RegionViews
		for i := 0; i < 3; i++ {
			sv = append(sv, in[fmt.Sprintf("sv%d", i)])
			sr = append(sr, RegionViews{in[fmt.Sprintf("sl%d", i)], in[fmt.Sprintf("sf%d", i)]})
		}
		for i := 0; i < 2; i++ {
			tv = append(tv, in[fmt.Sprintf("tv%d", i)])
			tr = append(tr, RegionViews{in[fmt.Sprintf("tl%d", i)], in[fmt.Sprintf("tf%d", i)]})
		}
		return e.Loss(sv, tv, sr, tr)
	}
	return nil, fmt.Errorf("unknown loss %q", f.Loss)
}

// TestLossesMatchPyTorch compares each loss value and its input gradients
// with PyTorch 1.13's to 1e-4 relative (float32).
func TestLossesMatchPyTorch(t *testing.T) {
	const tol = 1e-4
	var cases []lossFixture
	if err := gradcheck.LoadCases("testdata/losses.json", &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range cases {
		t.Run(f.Name, func(t *testing.T) {
			g := G.NewGraph()
			in := map[string]*G.Node{}
			var names []string
			for name, ft := range f.Inputs {
				in[name] = ft.Node(g, name)
			}
			for name := range f.Grads {
				names = append(names, name)
			}
			sort.Strings(names)
			var wrt G.Nodes
			for _, n := range names {
				wrt = append(wrt, in[n])
			}
			l, err := buildLoss(f, in)
			if err != nil {
				t.Fatal(err)
			}
			grads, err := G.Grad(l, wrt...)
			if err != nil {
				t.Fatal(err)
			}
			graphtest.Run(t, g)
			v, _ := gradcheck.Float64s(l.Value())
			if e, _ := gradcheck.RelErr(v, []float64{f.Value}, 1e-6); e > tol {
				t.Errorf("value %.7g, PyTorch %.7g (rel err %.3g)", v[0], f.Value, e)
			}
			for i, gn := range grads {
				gradcheck.Compare(t, "grad "+names[i], gn.Value(), f.Grads[names[i]].Data, 1e-6, tol)
			}
		})
	}
}
