package backbone

import (
	"testing"

	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/nn"
)

// Backbones and heads given a nil rng draw from nn's one process-wide
// stream, as layers do: two such models differ, and nn.Seed makes a
// program's weights repeat. (They once each started a fresh seed-1
// generator, so two nil-rng backbones were identical.)
func TestNilRandSharesNNStream(t *testing.T) {
	build := func() []float32 {
		net, err := NewSmallCNN(1, 16, nil)
		if err != nil {
			t.Fatal(err)
		}
		vit, err := NewViT(DefaultViTConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		h, err := head.NewDINOHead(head.DINOConfig{In: 4, Out: 3, Hidden: 5, Bottleneck: 2, Layers: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := append([]float32(nil), net.Params()[0].Data()...)
		w = append(w, vit.Params()[0].Data()...)
		return append(w, h.Params()[0].Data()...)
	}
	nn.Seed(7)
	a := build()
	b := build()
	nn.Seed(7)
	c := build()
	same := func(x, y []float32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if same(a, b) {
		t.Error("two backbones built with a nil rng start identical")
	}
	if !same(a, c) {
		t.Error("nn.Seed(7) did not make the weights repeat")
	}
}
