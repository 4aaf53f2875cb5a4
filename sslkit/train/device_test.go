package train

import (
	"strings"
	"testing"
)

// The first log line says where steps run and, on a machine without a
// usable GPU, why not there; a bad setting is an error, not a silent CPU.
func TestDeviceChoice(t *testing.T) {
	t.Setenv("GOSSL_CUDA_LIB", t.TempDir()) // an empty folder: no driver to find
	t.Setenv("GOSSL_DEVICE", "")
	line, err := chooseDevice("cpu")
	if err != nil || !strings.HasPrefix(line, "device: cpu") {
		t.Errorf("cpu: %q, %v", line, err)
	}
	line, err = chooseDevice("")
	if err != nil || !strings.HasPrefix(line, "device: cpu") {
		t.Errorf("auto: %q, %v", line, err)
	}
	if _, err := chooseDevice("tpu"); err == nil || !strings.Contains(err.Error(), "auto, cuda or cpu") {
		t.Errorf("tpu: %v", err)
	}
	if _, err := chooseDevice("cuda"); err == nil {
		t.Error("cuda without a GPU: no error")
	}
}
