package backbone

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gossl/gossl/sslkit/nn"
)

// The counts in this file are torchvision's (testdata/param_counts.py
// prints them and writes torchvision_layouts.json); they are written out
// here so that a changed fixture cannot silently move the bar.
func TestParamCountsEqualTorchvision(t *testing.T) {
	layouts := loadLayouts(t)
	cases := []struct {
		key   string
		count int
		build func() (*Net, error)
	}{
		{"resnet18_cifar_10", 11173962, func() (*Net, error) {
			return NewResNet(ResNetConfig{InChannels: 3, Depth: 18, CIFARStem: true, NumClasses: 10}, nil)
		}},
		{"resnet18_cifar_features", 11168832, func() (*Net, error) {
			return NewResNet(ResNetConfig{InChannels: 3, Depth: 18, CIFARStem: true}, nil)
		}},
		{"resnet18", 11689512, func() (*Net, error) { return NewResNet(ResNetConfig{InChannels: 3, Depth: 18, NumClasses: 1000}, nil) }},
		{"resnet34", 21797672, func() (*Net, error) { return NewResNet(ResNetConfig{InChannels: 3, Depth: 34, NumClasses: 1000}, nil) }},
		{"resnet50", 25557032, func() (*Net, error) { return NewResNet(ResNetConfig{InChannels: 3, Depth: 50, NumClasses: 1000}, nil) }},
		{"resnet50_features", 23508032, func() (*Net, error) { return NewResNet(ResNetConfig{InChannels: 3, Depth: 50}, nil) }},
		{"efficientnet_b0", 5288548, func() (*Net, error) {
			return NewEfficientNetB0(EfficientNetConfig{InChannels: 3, Dropout: 0.2, NumClasses: 1000}, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			net, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			if n := net.NumParams(); n != c.count {
				t.Errorf("%s: %d parameters, torchvision %d", net.Arch, n, c.count)
			}
			want, ok := layouts[c.key]
			if !ok {
				t.Fatalf("no layout %q in testdata", c.key)
			}
			if want.Count != c.count {
				t.Errorf("fixture count %d differs from the asserted %d: regenerate or update", want.Count, c.count)
			}
			state, err := nn.StateDict(net)
			if err != nil {
				t.Fatal(err)
			}
			for name, shape := range want.State {
				p, ok := state[name]
				if !ok {
					t.Errorf("missing %s %v", name, shape)
					continue
				}
				if got := []int(p.Value.Shape()); !equalInts(got, shape) {
					t.Errorf("%s: shape %v, torchvision %v", name, got, shape)
				}
			}
			for name := range state {
				if _, ok := want.State[name]; !ok {
					t.Errorf("%s is not in torchvision's state_dict", name)
				}
			}
		})
	}
}

type layout struct {
	Count int              `json:"count"`
	State map[string][]int `json:"state"`
}

func loadLayouts(t *testing.T) map[string]layout {
	t.Helper()
	raw, err := os.ReadFile("testdata/torchvision_layouts.json")
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]layout
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
