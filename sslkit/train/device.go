package train

import (
	"fmt"
	"os"
	"strings"

	"github.com/gossl/gossl/sslkit/gpu"
)

// chooseDevice resolves Options.Device to the line the first log line
// shows. sslkit/gpu can run gorgonia graphs on a GPU, but sslkit's own ops
// (convolution, batch norm, pooling) have no GPU kernels yet, so the
// Trainer runs its steps on the CPU: "cuda" asked for explicitly is an
// error that says so, and "auto" names the GPU it found and why it is not
// used. Where no GPU is usable, the line says why (gpu.Select's reason).
func chooseDevice(dev string) (string, error) {
	c, err := gpu.Select(dev)
	if err != nil {
		return "", fmt.Errorf("train: %w", err)
	}
	if c.Device != "cuda" {
		return short(c.Reason), nil
	}
	asked := dev
	if asked == "" {
		asked = os.Getenv(gpu.EnvDevice)
	}
	if a := strings.ToLower(strings.TrimSpace(asked)); a == "cuda" || a == "gpu" {
		return "", fmt.Errorf("train: Device %q: the Trainer cannot run sslkit's convolution, batch-norm and pooling ops on the GPU yet (%s); use \"auto\" or \"cpu\"", asked, c.Reason)
	}
	return "device: cpu, since the Trainer has no GPU kernels for sslkit's ops yet (found " + c.Reason + ")", nil
}

// short drops the list of folders searched from a reason, which would make
// the training log's first line several lines long; GOSSL_DEVICE=cuda
// reports it whole.
func short(reason string) string {
	if i := strings.Index(reason, " (searched "); i >= 0 {
		return reason[:i]
	}
	return reason
}
