package backbone

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/nn"
)

type initStat struct {
	N          int      `json:"n"`
	RMS        float64  `json:"rms"`          // measured on torchvision's models
	Expected   float64  `json:"expected_rms"` // what torchvision's init rules give
	MaxAbsBias *float64 `json:"max_abs_bias"`
}

// Layer classes as testdata/init_stats.py defines them (nil: BatchNorm).
func efficientNetClass(name string, shape []int) string {
	switch {
	case len(shape) == 1:
		return ""
	case strings.HasPrefix(name, "classifier."):
		return "classifier"
	case strings.HasPrefix(name, "features.0."):
		return "stem"
	case strings.HasPrefix(name, "features.8."):
		return "head_conv"
	case strings.Contains(name, ".fc1."):
		return "se_reduce"
	case strings.Contains(name, ".fc2."):
		return "se_expand"
	case len(shape) == 4 && shape[1] == 1:
		return "depthwise"
	case len(shape) == 4 && shape[0] > shape[1]:
		return "expand"
	case len(shape) == 4:
		return "project"
	}
	return ""
}

func resNetClass(name string, shape []int) string {
	switch {
	case len(shape) == 1:
		return ""
	case strings.HasPrefix(name, "fc."):
		return "fc"
	case len(shape) == 4 && shape[2] == 1:
		return "conv1x1"
	case len(shape) == 4 && shape[2] == 3:
		return "conv3x3"
	case len(shape) == 4 && shape[2] == 7:
		return "conv7x7"
	}
	return ""
}

// Freshly built networks start as torchvision's do: per layer class, the
// root mean square of the weights within 5% of what torchvision's init
// rules give (testdata/init_stats.json, whose generator checks those rules
// against torchvision's own models), and the biases torchvision zeroes
// exactly zero. (EfficientNet's depthwise kernels once had a
// per-group fan-out, std ≈ 6× too large, and its squeeze-excitation and
// classifier PyTorch's default uniform init with non-zero biases.)
func TestInitMatchesTorchvision(t *testing.T) {
	raw, err := os.ReadFile("testdata/init_stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	eff := DefaultEfficientNetConfig()
	eff.NumClasses = 1000
	res := DefaultResNetConfig(18)
	res.NumClasses = 1000
	// Several models per architecture (fixed seeds), so that the smallest
	// class (EfficientNet's stem, 864 weights) is a large sample too.
	cases := []struct {
		name     string
		models   int
		build    func(rng *rand.Rand) (nn.Module, error)
		classify func(string, []int) string
	}{
		{"efficientnet_b0", 4, func(rng *rand.Rand) (nn.Module, error) { return NewEfficientNetB0(eff, rng) }, efficientNetClass},
		{"resnet18", 1, func(rng *rand.Rand) (nn.Module, error) { return NewResNet(res, rng) }, resNetClass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want map[string]initStat
			if err := json.Unmarshal(fx[c.name], &want); err != nil {
				t.Fatal(err)
			}
			sums, counts, bias := map[string]float64{}, map[string]int{}, map[string]float64{}
			hasBias := map[string]bool{}
			for seed := 1; seed <= c.models; seed++ {
				net, err := c.build(rand.New(rand.NewSource(int64(seed))))
				if err != nil {
					t.Fatal(err)
				}
				params := map[string]*nn.Param{}
				for _, p := range net.Params() {
					params[p.Name] = p
				}
				for _, p := range net.Params() {
					if strings.HasSuffix(p.Name, ".bias") {
						w := params[strings.TrimSuffix(p.Name, "bias")+"weight"]
						cls := c.classify(w.Name, w.Value.Shape())
						if cls == "" {
							continue
						}
						hasBias[cls] = true
						for _, v := range p.Data() {
							bias[cls] = math.Max(bias[cls], math.Abs(float64(v)))
						}
						continue
					}
					cls := c.classify(p.Name, p.Value.Shape())
					if cls == "" {
						continue
					}
					for _, v := range p.Data() {
						sums[cls] += float64(v) * float64(v)
					}
					counts[cls] += p.Size()
				}
			}
			for cls, w := range want {
				if counts[cls] != w.N*c.models {
					t.Errorf("%s: %d weights in %d models, torchvision %d per model", cls, counts[cls], c.models, w.N)
					continue
				}
				rms := math.Sqrt(sums[cls] / float64(counts[cls]))
				if math.Abs(rms/w.Expected-1) > 0.05 {
					t.Errorf("%s: weight RMS %.5f, torchvision's init %.5f (%+.1f%%; measured on torchvision %.5f)",
						cls, rms, w.Expected, 100*(rms/w.Expected-1), w.RMS)
				}
				switch {
				case w.MaxAbsBias == nil && hasBias[cls]:
					t.Errorf("%s: has a bias, torchvision none", cls)
				case w.MaxAbsBias != nil && !hasBias[cls]:
					t.Errorf("%s: no bias, torchvision has one", cls)
				case w.MaxAbsBias != nil && *w.MaxAbsBias == 0 && bias[cls] != 0:
					t.Errorf("%s: bias up to %g, torchvision zero", cls, bias[cls])
				case w.MaxAbsBias != nil && *w.MaxAbsBias > 0 && math.Abs(bias[cls] / *w.MaxAbsBias - 1) > 0.05:
					t.Errorf("%s: |bias| up to %g, torchvision %g", cls, bias[cls], *w.MaxAbsBias)
				}
			}
			if len(counts) != len(want) {
				t.Errorf("layer classes %v, torchvision %v", counts, want)
			}
		})
	}
}
