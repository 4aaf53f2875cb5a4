package gpu

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvDevice chooses the device when Select is given "": auto, cuda or cpu.
const EnvDevice = "GOSSL_DEVICE"

// Choice is the device a program trains on.
type Choice struct {
	Backend Backend
	Device  string // "cuda" or "cpu"
	// Reason is one line for the log: the GPU used, or why not.
	Reason string
}

// Select chooses the device: "cuda" (or "gpu") requires a usable GPU and
// fails with the reason; "cpu" uses the CPU; "auto" uses the GPU when one
// is usable and otherwise the CPU, saying why in Reason. "" reads
// GOSSL_DEVICE and defaults to auto. Opening the GPU happens here, once
// per process, never at import.
func Select(dev string) (Choice, error) {
	src := "argument"
	if dev == "" {
		dev, src = os.Getenv(EnvDevice), EnvDevice
		if dev == "" {
			dev, src = "auto", "default"
		}
	}
	switch strings.ToLower(strings.TrimSpace(dev)) {
	case "cpu":
		return Choice{Backend: NewHost(), Device: "cpu", Reason: fmt.Sprintf("device: cpu (%s)", src)}, nil
	case "cuda", "gpu":
		c, err := NewCUDA()
		if err != nil {
			return Choice{}, fmt.Errorf("device cuda (%s): %w", src, err)
		}
		return Choice{Backend: c, Device: "cuda", Reason: "device: cuda, " + c.dev.String()}, nil
	case "auto":
		c, err := NewCUDA()
		if err != nil {
			return Choice{Backend: NewHost(), Device: "cpu", Reason: "device: cpu, since " + oneLine(err.Error())}, nil
		}
		return Choice{Backend: c, Device: "cuda", Reason: "device: cuda, " + c.dev.String()}, nil
	}
	return Choice{}, fmt.Errorf("gpu: device %q (%s): want auto, cuda or cpu", dev, src)
}

// IsNoGPU reports whether err says that no GPU is usable (as opposed to a
// failure on a working GPU).
func IsNoGPU(err error) bool { return errors.Is(err, errGPU) }
