package checkpoint

import (
	"errors"
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// The bar, against the real thing: ResNet-18 and EfficientNet-B0
// state dicts that torchvision writes with torch.save (written into a
// temporary folder by testdata/torchref.py, ~45 MB each, so not committed)
// load into sslkit's backbones and give PyTorch's outputs in eval mode to
// 1e-4 relative; and
// sslkit's own exports load into torchvision with
// load_state_dict(strict=True) and give sslkit's outputs there. Skipped
// when Debian's python3-torch/torchvision are not installed (CI has them).

// torchPython returns the interpreter that has torch and torchvision.
func torchPython(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import torch, torchvision").CombinedOutput(); err != nil {
		t.Skipf("PyTorch reference unavailable (%s with torch and torchvision: %v %s)", py, err, strings.TrimSpace(string(out)))
	}
	return py
}

func runTorchRef(t *testing.T, py, mode, dir string) {
	t.Helper()
	out, err := exec.Command(py, "testdata/torchref.py", mode, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("torchref.py %s: %v\n%s", mode, err, out)
	}
}

const featureTol = 1e-4

func compareOutputs(t *testing.T, what string, got []float64, want *tensor.Dense) {
	t.Helper()
	e, err := gradcheck.RelErr(got, floats(t, want), 1e-6)
	if err != nil || e > featureTol {
		t.Errorf("%s: relative error %.3g (limit %g) %v", what, e, featureTol, err)
	} else {
		t.Logf("%s: relative error %.2g", what, e)
	}
}

func resnet18(t *testing.T, cifar bool, classes int, seed int64) *backbone.Net {
	t.Helper()
	net, err := backbone.NewResNet(backbone.ResNetConfig{Depth: 18, CIFARStem: cifar, NumClasses: classes, InChannels: 3}, rand.New(rand.NewSource(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func TestTorchvisionWeightsBothWays(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PyTorch")
	}
	py := torchPython(t)
	dir := t.TempDir()
	runTorchRef(t, py, "export", dir)
	ref := mustLoad(t, filepath.Join(dir, "ref.safetensors"))
	imagenetPT := filepath.Join(dir, "resnet18_imagenet.pt")
	cifarPT := filepath.Join(dir, "resnet18_cifar.pt")

	t.Run("torchvision resnet18 with fc, strict", func(t *testing.T) {
		net := resnet18(t, false, 1000, 1)
		if err := LoadModel(imagenetPT, net, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		compareOutputs(t, "logits", forward(t, net, ref["imagenet.input"]), ref["imagenet.logits"])
	})
	t.Run("torchvision resnet18 into a feature extractor", func(t *testing.T) {
		net := resnet18(t, false, 0, 1)
		err := LoadModel(imagenetPT, net, LoadOptions{})
		var le *LoadError
		if !errors.As(err, &le) || strings.Join(le.Report.Unexpected, " ") != "fc.bias fc.weight" || len(le.Report.Missing)+len(le.Report.Mismatched) != 0 {
			t.Fatalf("strict load without fc: %v, want exactly fc.weight and fc.bias unexpected", err)
		}
		if err := LoadModel(imagenetPT, net, LoadOptions{Ignore: []string{"fc."}}); err != nil {
			t.Fatal(err)
		}
		compareOutputs(t, "features", forward(t, net, ref["imagenet.input"]), ref["imagenet.features"])
	})
	t.Run("CIFAR stem", func(t *testing.T) {
		net := resnet18(t, true, 0, 1)
		if err := LoadModel(cifarPT, net, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		compareOutputs(t, "features", forward(t, net, ref["cifar.input"]), ref["cifar.features"])
	})
	t.Run("solo-learn style Lightning checkpoint", func(t *testing.T) {
		ckpt := filepath.Join(dir, "solo_cifar.ckpt")
		net := resnet18(t, true, 0, 1)
		err := LoadModel(ckpt, net, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), `StripPrefix = "backbone."`) {
			t.Fatalf("load without StripPrefix: %v, want a hint to strip \"backbone.\"", err)
		}
		var rep Report
		if err := LoadModel(ckpt, net, LoadOptions{StripPrefix: "backbone.", Report: &rep}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(rep.Ignored, " ") != "classifier.weight projector.0.weight" {
			t.Errorf("ignored %v, want the classifier and projector", rep.Ignored)
		}
		compareOutputs(t, "features", forward(t, net, ref["cifar.input"]), ref["cifar.features"])
	})

	t.Run("torchvision efficientnet_b0, strict", func(t *testing.T) {
		net, err := backbone.NewEfficientNetB0(backbone.EfficientNetConfig{NumClasses: 1000, InChannels: 3}, rand.New(rand.NewSource(1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := LoadModel(filepath.Join(dir, "efficientnet_b0.pth"), net, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		compareOutputs(t, "logits", forward(t, net, ref["efficientnet_b0.input"]), ref["efficientnet_b0.logits"])
	})

	// sslkit's own weights (BatchNorm statistics made non-trivial) go the
	// other way: export, strict load in torchvision, same outputs there.
	own := map[string]*backbone.Net{"imagenet": resnet18(t, false, 1000, 42), "cifar": resnet18(t, true, 0, 43)}
	want := map[string][]float64{}
	for variant, net := range own {
		randomizeBatchNorm(net, 44)
		in := ref[variant+".input"]
		want[variant] = forward(t, net, in)
		if err := SaveModel(filepath.Join(dir, "sslkit_"+variant+".safetensors"), net); err != nil {
			t.Fatal(err)
		}
	}
	runTorchRef(t, py, "check", dir) // fails if load_state_dict(strict=True) raises
	t.Run("export loads into torchvision strictly", func(t *testing.T) {
		got := mustLoad(t, filepath.Join(dir, "check_imagenet.safetensors"))
		compareOutputs(t, "torchvision logits from sslkit's export", want["imagenet"], got["imagenet.logits"])
		got = mustLoad(t, filepath.Join(dir, "check_cifar.safetensors"))
		compareOutputs(t, "torchvision CIFAR features from sslkit's export", want["cifar"], got["cifar.features"])
	})
}

func randomizeBatchNorm(m nn.Module, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	nn.Walk(m, func(x nn.Module) {
		bn, ok := x.(*nn.BatchNorm)
		if !ok {
			return
		}
		for i := range bn.RunningMean.Data() {
			bn.Weight.Data()[i] = float32(0.5 + rng.Float64())
			bn.Bias.Data()[i] = float32(0.1 * rng.NormFloat64())
			bn.RunningMean.Data()[i] = float32(0.1 * rng.NormFloat64())
			bn.RunningVar.Data()[i] = float32(0.5 + rng.Float64())
		}
	})
}
