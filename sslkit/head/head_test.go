package head

import (
	"math"
	"testing"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Parameter counts of the equivalent torch.nn.Sequential heads, written
// out layer by layer (Linear: in·out [+ out], BatchNorm1d affine: 2·dim).
func TestPresetLayouts(t *testing.T) {
	cases := []struct {
		build func() (*Head, error)
		count int
		names []string
	}{
		{func() (*Head, error) { return SimCLRProjector("p", 512, 512, 128, nil) },
			512*512 + 512 + 512*128 + 128, []string{"p.0.weight", "p.0.bias", "p.2.weight", "p.2.bias"}},
		{func() (*Head, error) { return BYOLMLP("p", 512, 64, 32, nil) },
			512*64 + 64 + 2*64 + 64*32 + 32, []string{"p.0.weight", "p.0.bias", "p.1.weight", "p.1.bias", "p.3.weight", "p.3.bias"}},
		{func() (*Head, error) { return SimSiamProjector("p", 512, 64, 64, nil) },
			512*64 + 2*64 + 64*64 + 2*64 + 64*64, []string{"p.0.weight", "p.1.weight", "p.1.bias", "p.3.weight", "p.4.weight", "p.4.bias", "p.6.weight"}},
		{func() (*Head, error) { return SimSiamPredictor("q", 64, 16, nil) },
			64*16 + 2*16 + 16*64 + 64, []string{"q.0.weight", "q.1.weight", "q.1.bias", "q.3.weight", "q.3.bias"}},
		{func() (*Head, error) { return BarlowTwinsProjector("p", 32, 64, 64, nil) },
			32*64 + 2*64 + 64*64 + 2*64 + 64*64, []string{"p.0.weight", "p.1.weight", "p.1.bias", "p.3.weight", "p.4.weight", "p.4.bias", "p.6.weight"}},
		{func() (*Head, error) { return SimCLRv2Projector("p", 32, 64, 16, nil) },
			32*64 + 2*64 + 64*64 + 2*64 + 64*16 + 2*16, nil},
		{func() (*Head, error) { return MoCoV2Projector("p", 512, 2048, 128, nil) },
			512*2048 + 2048 + 2048*128 + 128, nil},
	}
	for _, c := range cases {
		h, err := c.build()
		if err != nil {
			t.Fatal(err)
		}
		if n := h.NumParams(); n != c.count {
			t.Errorf("%s: %d parameters, want %d", h.Arch, n, c.count)
		}
		if c.names == nil {
			continue
		}
		var got []string
		for _, p := range h.Params() {
			got = append(got, p.Name)
		}
		if len(got) != len(c.names) {
			t.Errorf("%s: parameters %v, want %v", h.Arch, got, c.names)
			continue
		}
		for i := range got {
			if got[i] != c.names[i] {
				t.Errorf("%s: parameters %v, want %v", h.Arch, got, c.names)
				break
			}
		}
	}
	// SimSiam's output BN has running statistics but no affine parameters.
	h, _ := SimSiamProjector("p", 8, 8, 8, nil)
	if b := nn.Buffers(h); len(b) != 6 || b[4].Name != "p.7.running_mean" {
		t.Errorf("buffers %v", b)
	}
}

func TestHeadForward(t *testing.T) {
	h, err := SimSiamPredictor("q", 6, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 6), G.WithInit(G.GlorotU(1)))
	y, err := h.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{4, 6}) {
		t.Fatalf("shape %v", y.Shape())
	}
	if _, err := h.Forward(G.NewMatrix(g, tensor.Float32, G.WithShape(4, 5))); err == nil {
		t.Error("wrong feature size accepted")
	}
}

func TestMomentumUpdate(t *testing.T) {
	student, _ := BYOLMLP("p", 3, 4, 2, nil)
	teacher, _ := BYOLMLP("p", 3, 4, 2, nil)
	for _, p := range teacher.Params() {
		for i := range p.Data() {
			p.Data()[i] = 1
		}
	}
	for _, p := range student.Params() {
		for i := range p.Data() {
			p.Data()[i] = 3
		}
	}
	if err := MomentumUpdate(teacher, student, 0.75); err != nil {
		t.Fatal(err)
	}
	for _, p := range teacher.Params() {
		for _, v := range p.Data() {
			if math.Abs(float64(v)-1.5) > 1e-6 { // 0.75·1 + 0.25·3
				t.Fatalf("%s = %v, want 1.5", p.Name, v)
			}
		}
	}
	if err := CopyWeights(teacher, student); err != nil {
		t.Fatal(err)
	}
	if teacher.Params()[0].Data()[0] != 3 {
		t.Fatal("CopyWeights did not copy")
	}
	other, _ := BYOLMLP("other", 3, 4, 2, nil)
	if err := MomentumUpdate(other, student, 0.9); err == nil {
		t.Error("mismatched names accepted")
	}
	wider, _ := BYOLMLP("p", 3, 5, 2, nil)
	if err := MomentumUpdate(wider, student, 0.9); err == nil {
		t.Error("mismatched shapes accepted")
	}
	if err := MomentumUpdate(teacher, student, 1.5); err == nil {
		t.Error("momentum 1.5 accepted")
	}
}

func TestCosineMomentum(t *testing.T) {
	if m := CosineMomentum(0.996, 0, 100); math.Abs(m-0.996) > 1e-12 {
		t.Errorf("start %v", m)
	}
	if m := CosineMomentum(0.996, 50, 100); math.Abs(m-0.998) > 1e-12 {
		t.Errorf("middle %v", m)
	}
	if m := CosineMomentum(0.996, 100, 100); m != 1 {
		t.Errorf("end %v", m)
	}
}
