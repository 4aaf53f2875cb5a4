package augment

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"testing"

	"gorgonia.org/tensor"
)

// fixtures are torchvision 0.14's outputs, written by
// testdata/gen_fixtures.py.
type fixtureTensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

type fixtureCase struct {
	Name   string          `json:"name"`
	Op     string          `json:"op"`
	Input  string          `json:"input"`
	Params json.RawMessage `json:"params"`
	Output fixtureTensor   `json:"output"`
}

type fixtureFile struct {
	Torchvision string                   `json:"torchvision"`
	Inputs      map[string]fixtureTensor `json:"inputs"`
	Cases       []fixtureCase            `json:"cases"`
	CropStats   []cropStats              `json:"crop_stats"`
}

// cropStats summarise torchvision's RandomResizedCrop.get_params draws.
type cropStats struct {
	H, W         int
	Scale        [2]float64
	N            int
	AreaMean     float64 `json:"area_mean"`
	AreaStd      float64 `json:"area_std"`
	LogRatioMean float64 `json:"log_ratio_mean"`
	LogRatioStd  float64 `json:"log_ratio_std"`
}

func loadFixtures(t *testing.T) fixtureFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/transforms.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtureFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no fixture cases")
	}
	return f
}

func (ft fixtureTensor) dense() *tensor.Dense {
	return tensor.New(tensor.WithShape(ft.Shape...), tensor.WithBacking(append([]float32(nil), ft.Data...)))
}

// alwaysRNG is a source whose Float64 is 0, so every "with probability P"
// step with P > 0 applies.
func alwaysRNG() *rand.Rand { return rand.New(zeroSource{}) }

type zeroSource struct{}

func (zeroSource) Int63() int64 { return 0 }
func (zeroSource) Seed(int64)   {}

func TestAgainstTorchvision(t *testing.T) {
	f := loadFixtures(t)
	counts := map[string]int{}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			in := f.Inputs[c.Input].dense()
			got, tol := applyFixture(t, c, in)
			counts[c.Op]++
			if !equalInts(got.Shape(), c.Output.Shape) {
				t.Fatalf("shape %v, torchvision %v", got.Shape(), c.Output.Shape)
			}
			g := got.Data().([]float32)
			worst, at := 0.0, -1
			for i, w := range c.Output.Data {
				if d := math.Abs(float64(g[i] - w)); d > worst || math.IsNaN(d) {
					worst, at = d, i
				}
			}
			if worst > tol {
				t.Fatalf("max |diff| %.3g at %d (got %v, torchvision %v), tolerance %g", worst, at, g[at], c.Output.Data[at], tol)
			}
		})
	}
	for _, op := range []string{"resized_crop", "resize_shorter", "center_crop", "hflip", "jitter", "grayscale", "solarize", "blur", "normalize"} {
		if counts[op] == 0 {
			t.Errorf("no fixture exercised %s", op)
		}
	}
}

// applyFixture runs the sslkit transform of one case with its parameters
// and returns the output and the tolerance.
func applyFixture(t *testing.T, c fixtureCase, in *tensor.Dense) (*tensor.Dense, float64) {
	t.Helper()
	var p struct {
		Top, Left, Height, Width int
		OutH                     int `json:"out_h"`
		OutW                     int `json:"out_w"`
		Size                     int
		Order                    []int
		Brightness, Contrast     float64
		Saturation, Hue          float64
		Threshold, Sigma         float64
		Kernel                   int
		Mean, Std                []float64
	}
	if err := json.Unmarshal(c.Params, &p); err != nil {
		t.Fatal(err)
	}
	var (
		out *tensor.Dense
		err error
		tol = 1e-5
	)
	switch c.Op {
	case "resized_crop":
		out, err = RandomResizedCrop{Height: p.OutH, Width: p.OutW}.ApplyParams(in, Crop{p.Top, p.Left, p.Height, p.Width})
		tol = 1e-4
	case "resize_shorter":
		out, err = ResizeShorter{Size: p.Size}.Apply(in, nil)
		tol = 1e-4
	case "center_crop":
		out, err = CenterCrop{Height: p.Height, Width: p.Width}.Apply(in, nil)
	case "hflip":
		out, err = HorizontalFlip{P: 1}.Apply(in, alwaysRNG())
	case "jitter":
		jp := JitterParams{Apply: true, Brightness: p.Brightness, Contrast: p.Contrast, Saturation: p.Saturation, Hue: p.Hue}
		copy(jp.Order[:], p.Order)
		out, err = ColorJitter{}.ApplyParams(in, jp)
		tol = 1e-5
	case "grayscale":
		out, err = RandomGrayscale{P: 1}.Apply(in, alwaysRNG())
	case "solarize":
		out, err = Solarize{Threshold: p.Threshold, P: 1}.Apply(in, alwaysRNG())
	case "blur":
		out, err = GaussianBlur{KernelSize: p.Kernel, Sigma: [2]float64{p.Sigma, p.Sigma}, P: 1}.ApplyParams(in, p.Sigma)
		tol = 1e-5
	case "normalize":
		out, err = Normalize{Mean: p.Mean, Std: p.Std}.Apply(in, nil)
	default:
		t.Fatalf("unknown op %q", c.Op)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out, tol
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

// TestCropSamplingMatchesTorchvision compares the distribution of crops
// with torchvision's (their random streams differ, so means and standard
// deviations are compared, within 5 standard errors of the difference).
func TestCropSamplingMatchesTorchvision(t *testing.T) {
	f := loadFixtures(t)
	if len(f.CropStats) == 0 {
		t.Fatal("no crop statistics in the fixtures")
	}
	rng := rand.New(rand.NewSource(21))
	for _, ref := range f.CropStats {
		rrc := NewRandomResizedCrop(16, ref.Scale)
		n := ref.N
		area, logr := make([]float64, n), make([]float64, n)
		for i := range n {
			c := rrc.Params(ref.H, ref.W, rng)
			area[i] = float64(c.Height*c.Width) / float64(ref.H*ref.W)
			logr[i] = math.Log(float64(c.Width) / float64(c.Height))
		}
		check := func(what string, xs []float64, mean, std float64) {
			m, s := meanStd(xs)
			se := math.Sqrt(s*s/float64(n) + std*std/float64(ref.N))
			if math.Abs(m-mean) > 5*se {
				t.Errorf("%d×%d scale %v: %s mean %.4f, torchvision %.4f (±%.4f)", ref.H, ref.W, ref.Scale, what, m, mean, se)
			}
			// The standard deviation's standard error is about σ/√(2n).
			if sse := std * math.Sqrt(2/float64(n)); math.Abs(s-std) > 5*sse+1e-3 {
				t.Errorf("%d×%d scale %v: %s std %.4f, torchvision %.4f", ref.H, ref.W, ref.Scale, what, s, std)
			}
		}
		check("area fraction", area, ref.AreaMean, ref.AreaStd)
		check("log aspect ratio", logr, ref.LogRatioMean, ref.LogRatioStd)
	}
}

func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}
