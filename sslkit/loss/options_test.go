package loss

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A literal zero is used as given, and an invalid value names the field
// and the constructor to start from.
func TestOptionsZeroMeansZeroAndErrorsNameTheField(t *testing.T) {
	g := G.NewGraph()
	a := emb(g, tensor.Float64, "a", 1, 6, 4)
	b := emb(g, tensor.Float64, "b", 2, 6, 4)
	qu := emb(g, tensor.Float64, "qu", 3, 5, 4)
	bad := []struct {
		name, want string
		build      func() (*G.Node, error)
	}{
		{"NTXent", "Temperature 0 must be positive (start from loss.DefaultNTXentOptions())",
			func() (*G.Node, error) { return NTXent(a, b, NTXentOptions{}) }},
		{"InfoNCE", "Temperature 0 must be positive (start from loss.DefaultInfoNCEOptions())",
			func() (*G.Node, error) { return InfoNCE(a, b, qu, InfoNCEOptions{}) }},
		{"Distill", "Temperature -1 must be positive (start from loss.DefaultDistillOptions())",
			func() (*G.Node, error) { return Distill(a, b, DistillOptions{Temperature: -1}) }},
		{"Barlow scale", "Scale 0 must be positive (start from loss.DefaultBarlowTwinsOptions())",
			func() (*G.Node, error) { return BarlowTwins(a, b, BarlowTwinsOptions{Lambda: 0.1}) }},
		{"Barlow lambda", "Lambda -1 must be ≥ 0",
			func() (*G.Node, error) { return BarlowTwins(a, b, BarlowTwinsOptions{Lambda: -1, Scale: 1}) }},
		{"Triplet ranks", "Lo 0 and Hi 0 select no rank (want 0 ≤ Lo < Hi; start from loss.DefaultTripletOptions())",
			func() (*G.Node, error) { return Triplet(a, b, TripletOptions{}) }},
		{"DisCo weight", "Weight -1 must be ≥ 0 (start from loss.DefaultDisCoOptions())",
			func() (*G.Node, error) {
				o := DefaultDisCoOptions()
				o.Weight = -1
				return DisCo(a, b, qu, b, nil, nil, o)
			}},
		{"DisCo InfoNCE", "Temperature 0 must be positive",
			func() (*G.Node, error) { return DisCo(a, b, qu, b, nil, nil, DisCoOptions{Weight: 1}) }},
		{"DINO", "StudentTemp 0 must be positive (start from loss.DefaultDINOOptions())",
			func() (*G.Node, error) { _, err := NewDINO(4, tensor.Float64, DINOOptions{}); return nil, err }},
	}
	for _, c := range bad {
		if _, err := c.build(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// Zero is honoured where it is meaningful.
	d, err := NewDINO(2, tensor.Float64, DINOOptions{StudentTemp: 0.1, TeacherTemp: 0.04})
	if err != nil {
		t.Fatal(err)
	}
	if d.Options().CentreMomentum != 0 {
		t.Errorf("centre momentum %g, want 0 as given", d.Options().CentreMomentum)
	}
	if err := d.UpdateCentre(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{3, 5}))); err != nil {
		t.Fatal(err)
	}
	if c := d.Centre(); c[0] != 3 || c[1] != 5 {
		t.Errorf("centre %v after one update with momentum 0, want [3 5]", c)
	}
}

// The defaults are the released code's, field by field.
func TestDefaultOptions(t *testing.T) {
	if o := DefaultNTXentOptions(); o.Temperature != 0.1 {
		t.Errorf("NT-Xent τ %g, want SimCLR's 0.1", o.Temperature)
	}
	if o := DefaultInfoNCEOptions(); o.Temperature != 0.2 || o.SkipNormalize {
		t.Errorf("InfoNCE %+v, want MoCo v2's τ 0.2, normalised", o)
	}
	if o := DefaultBarlowTwinsOptions(); o.Lambda != 0.0051 || o.Scale != 1 || o.Eps != 1e-5 {
		t.Errorf("Barlow %+v", o)
	}
	if o := DefaultTripletOptions(); o != (TripletOptions{Variant: Truncated, Gamma: 2, Margin: 100, Lo: 1, Hi: 10}) {
		t.Errorf("Triplet %+v", o)
	}
	if o := DefaultDisCoOptions(); o.Weight != 1 || o.Reduction != DisCoSum || o.InfoNCE != DefaultInfoNCEOptions() {
		t.Errorf("DisCo %+v", o)
	}
	if o := DefaultDistillOptions(); o.Temperature != 0.2 || o.SkipNormalize {
		t.Errorf("Distill %+v", o)
	}
	if o := DefaultDINOOptions(); o != (DINOOptions{StudentTemp: 0.1, TeacherTemp: 0.04, CentreMomentum: 0.9}) {
		t.Errorf("DINO %+v", o)
	}
}
