package backbone

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/gradcheck/layerfixture"
	"github.com/gossl/gossl/sslkit/nn"
)

// Composite blocks against PyTorch (testdata/gen_fixtures.py): torchvision's
// MBConv and a tiny window-attention ViT, output and every gradient to
// 1e-4 relative (scale floor 1e-2, as in sslkit/nn).
func TestBlocksMatchPyTorch(t *testing.T) {
	fx, err := gradcheck.LoadFixtures("testdata/blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	build := map[string]func() (nn.Module, error){
		"mbconv_residual": func() (nn.Module, error) { return newMBConv("blk", 8, 8, 6, 5, 1, nil) },
		"mbconv_stride":   func() (nn.Module, error) { return newMBConv("blk", 8, 16, 1, 3, 2, nil) },
		"tiny_vit": func() (nn.Module, error) {
			return NewViT(ViTConfig{ImageSize: 8, InChannels: 3, PatchSize: 2, Dims: []int{8, 16}, Depths: []int{2, 1},
				Heads: []int{2, 2}, Window: 2, MLPRatio: 2}, nil)
		},
	}
	if len(fx) != len(build) {
		t.Errorf("%d fixtures, %d Go cases", len(fx), len(build))
	}
	for name, mk := range build {
		c, ok := fx[name]
		if !ok {
			t.Errorf("no fixture %q", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			m, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			layerfixture.Match(t, c, m)
		})
	}
}
