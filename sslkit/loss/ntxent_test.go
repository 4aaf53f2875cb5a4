package loss

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestNTXentFiniteDifferences(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		z1 := emb(g, dt, "z1", 1, 4, 3)
		z2 := emb(g, dt, "z2", 2, 4, 3)
		l, err := NTXent(z1, z2, NTXentOptions{Temperature: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		fdCheck(t, l, z1, z2)
	}
}

func TestNTXentRejectsBadInput(t *testing.T) {
	g := G.NewGraph()
	z1 := emb(g, tensor.Float32, "z1", 1, 4, 3)
	z2 := emb(g, tensor.Float32, "z2", 2, 5, 3)
	if _, err := NTXent(z1, z2, DefaultNTXentOptions()); err == nil {
		t.Error("mismatched shapes accepted")
	}
	if _, err := NTXent(z1, z1, NTXentOptions{Temperature: -1}); err == nil {
		t.Error("negative temperature accepted")
	}
	if _, err := NTXent(nil, z1, DefaultNTXentOptions()); err == nil {
		t.Error("nil accepted")
	}
}
