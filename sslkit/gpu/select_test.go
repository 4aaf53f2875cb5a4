package gpu

import (
	"strings"
	"testing"
)

func TestSelectCPU(t *testing.T) {
	c, err := Select("cpu")
	if err != nil || c.Device != "cpu" || c.Backend.Name() != "cpu" {
		t.Fatalf("Select(cpu) = %+v, %v", c, err)
	}
}

func TestSelectRejectsUnknownDevice(t *testing.T) {
	if _, err := Select("tpu"); err == nil || !strings.Contains(err.Error(), "want auto, cuda or cpu") {
		t.Fatalf("Select(tpu): %v", err)
	}
	t.Setenv(EnvDevice, "metal")
	if _, err := Select(""); err == nil || !strings.Contains(err.Error(), EnvDevice) {
		t.Fatalf("Select with %s=metal: %v", EnvDevice, err)
	}
}

// Without a GPU (CI), auto falls back to the CPU with a one-line reason and
// cuda is an error carrying the same reason. With one, both give cuda.
func TestSelectAutoAndCUDAAgree(t *testing.T) {
	t.Setenv(EnvDevice, "")
	auto, err := Select("")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(auto.Reason, "\n") {
		t.Errorf("reason is not one line: %q", auto.Reason)
	}
	cuda, cerr := Select("cuda")
	switch auto.Device {
	case "cpu":
		if cerr == nil || !IsNoGPU(cerr) {
			t.Fatalf("auto fell back to the CPU (%s) but cuda gave %v", auto.Reason, cerr)
		}
		if !strings.HasPrefix(auto.Reason, "device: cpu, since gpu: ") {
			t.Errorf("fallback reason %q", auto.Reason)
		}
		t.Log(auto.Reason)
	case "cuda":
		if cerr != nil || cuda.Device != "cuda" {
			t.Fatalf("auto found a GPU but cuda gave %v", cerr)
		}
	default:
		t.Fatalf("auto chose %q", auto.Device)
	}
}
