package nn

import (
	"fmt"
	"math/rand"
	"strings"
)

// MLPOptions shape an MLP. Start from DefaultMLPOptions (Linear–ReLU–…–
// Linear with biases everywhere, no BatchNorm) and change the fields you
// need; every field is used as given.
type MLPOptions struct {
	// HiddenBN puts BatchNorm1d after every hidden Linear (SimCLR v2, BYOL,
	// SimSiam, MoCo v3 heads).
	HiddenBN bool
	// OutputBN puts BatchNorm1d after the last Linear (SimSiam's
	// projector); OutputBNNoAffine drops its scale and shift (SimSiam,
	// Barlow Twins' final normalisation).
	OutputBN, OutputBNNoAffine bool
	// BiasBeforeBN keeps the bias of a Linear that BatchNorm follows
	// (redundant, but some reference code has it).
	BiasBeforeBN bool
	// Activation between layers: "relu" (the default), "gelu" or "silu".
	// An empty string is an error.
	Activation string
	// BN configures every BatchNorm the MLP adds (OutputBNNoAffine still
	// drops the last one's affine). Default DefaultBNOptions().
	BN BNOptions
}

// DefaultMLPOptions returns a plain MLP: ReLU, no BatchNorm, biases on
// every Linear, PyTorch's BatchNorm defaults should BatchNorm be switched
// on.
func DefaultMLPOptions() MLPOptions { return MLPOptions{Activation: "relu", BN: DefaultBNOptions()} }

// NewMLP builds Linear layers of sizes dims[0]→dims[1]→…→dims[n-1] as a
// Sequential whose indices match an equivalent torch.nn.Sequential (so
// parameter names read "name.0.weight", "name.1.running_mean", …).
func NewMLP(name string, dims []int, opt MLPOptions, rng *rand.Rand) (*Sequential, error) {
	if len(dims) < 2 {
		return nil, errf("MLP %q: need at least input and output sizes, got %v", name, dims)
	}
	if opt.Activation == "" {
		return nil, errf("MLP %q: MLPOptions.Activation is empty (start from nn.DefaultMLPOptions())", name)
	}
	act, err := activation(opt.Activation)
	if err != nil {
		return nil, errf("MLP %q: %v", name, err)
	}
	rng = rngOrDefault(rng)
	var mods []Module
	idx := func() string { return join(name, fmt.Sprint(len(mods))) }
	for i := 0; i+1 < len(dims); i++ {
		last := i+2 == len(dims)
		bn := (!last && opt.HiddenBN) || (last && opt.OutputBN)
		lin, err := NewLinear(idx(), dims[i], dims[i+1], !bn || opt.BiasBeforeBN, rng)
		if err != nil {
			return nil, errf("MLP %q: %v", name, err)
		}
		mods = append(mods, lin)
		if bn {
			bo := opt.BN
			bo.NoAffine = bo.NoAffine || (last && opt.OutputBNNoAffine)
			b, err := NewBatchNorm1d(idx(), dims[i+1], bo)
			if err != nil {
				return nil, err
			}
			mods = append(mods, b)
		}
		if !last {
			mods = append(mods, act)
		}
	}
	return NewSequential(mods...), nil
}

func activation(name string) (Module, error) {
	switch strings.ToLower(name) {
	case "relu":
		return ReLU{}, nil
	case "gelu":
		return GELU{}, nil
	case "silu", "swish":
		return SiLU{}, nil
	}
	return nil, fmt.Errorf("unknown activation %q (want relu, gelu or silu)", name)
}
