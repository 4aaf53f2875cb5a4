package head

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DINOConfig configures DINO's projection head, which EsViT applies both
// to the pooled feature and to every patch token. Start from
// DefaultDINOConfig (facebookresearch/dino's DINOHead defaults) and change
// the fields you need; every field is used as given.
type DINOConfig struct {
	// In is the backbone's feature size, Out the number of prototypes K
	// (DINO: 65536).
	In, Out int
	// Hidden ≥ 1 is the MLP's hidden width (default 2048) and Bottleneck
	// ≥ 1 the normalised bottleneck (default 256), as in DINO.
	Hidden, Bottleneck int
	// Layers ≥ 1 of the MLP (default 3, DINO's nlayers).
	Layers int
	// BatchNorm after each hidden Linear (DINO's use_bn, default false).
	BatchNorm bool
	// TrainLastLayerNorm makes the weight-norm gain g of the last layer
	// trainable (DINO's norm_last_layer=False); by default (false) g
	// stays 1.
	TrainLastLayerNorm bool
}

// DefaultDINOConfig returns DINO's head for in features and out
// prototypes: 3 layers, hidden 2048, bottleneck 256, no BatchNorm, last
// layer's norm frozen.
func DefaultDINOConfig(in, out int) DINOConfig {
	return DINOConfig{In: in, Out: out, Hidden: 2048, Bottleneck: 256, Layers: 3}
}

// DINOHead is MLP (GELU) → L2 normalisation → weight-normalised Linear
// without bias, as in DINO's code: W = g·V/‖V‖ row-wise.
// Parameter names follow it: mlp.0.weight, …, last_layer.weight_g,
// last_layer.weight_v.
type DINOHead struct {
	Config  DINOConfig
	MLP     *nn.Sequential
	WeightG *nn.Param // (Out, 1); a buffer unless TrainLastLayerNorm
	WeightV *nn.Param // (Out, Bottleneck)
}

// NewDINOHead builds the head; a nil rng draws from nn.DefaultRand.
func NewDINOHead(cfg DINOConfig, rng *rand.Rand) (*DINOHead, error) {
	for _, f := range []struct {
		name string
		v    int
	}{{"In", cfg.In}, {"Out", cfg.Out}, {"Hidden", cfg.Hidden}, {"Bottleneck", cfg.Bottleneck}, {"Layers", cfg.Layers}} {
		if f.v < 1 {
			return nil, fmt.Errorf("head: DINOConfig.%s %d must be ≥ 1 (start from head.DefaultDINOConfig(in, out))", f.name, f.v)
		}
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	dims := []int{cfg.In}
	for i := 1; i < cfg.Layers; i++ {
		dims = append(dims, cfg.Hidden)
	}
	dims = append(dims, cfg.Bottleneck)
	opt := nn.DefaultMLPOptions()
	opt.HiddenBN, opt.BiasBeforeBN, opt.Activation = cfg.BatchNorm, true, "gelu"
	mlp, err := nn.NewMLP("mlp", dims, opt, rng)
	if err != nil {
		return nil, fmt.Errorf("head: DINO head: %w", err)
	}
	// DINO initialises Linear weights with a truncated normal (std 0.02)
	// and biases with zeros.
	for _, m := range mlp.Modules {
		if l, ok := m.(*nn.Linear); ok {
			truncNormal(rng, l.Weight.Data(), 0.02)
			if l.Bias != nil {
				clear32(l.Bias.Data())
			}
		}
	}
	last, err := nn.NewLinear("last_layer", cfg.Bottleneck, cfg.Out, false, rng)
	if err != nil {
		return nil, err
	}
	g := make([]float32, cfg.Out)
	for i := range g {
		g[i] = 1
	}
	h := &DINOHead{Config: cfg, MLP: mlp,
		WeightG: nn.NewParam("last_layer.weight_g", tensor.New(tensor.WithShape(cfg.Out, 1), tensor.WithBacking(g))),
		WeightV: nn.NewParam("last_layer.weight_v", last.Weight.Value),
	}
	return h, nil
}

func (h *DINOHead) Children() []nn.Module { return []nn.Module{h.MLP} }

func (h *DINOHead) Params() []*nn.Param {
	ps := append(h.MLP.Params(), h.WeightV)
	if h.Config.TrainLastLayerNorm {
		ps = append(ps, h.WeightG)
	}
	return ps
}

// Buffers holds the frozen gain g (it is in DINO's state_dict).
func (h *DINOHead) Buffers() []*nn.Param {
	if h.Config.TrainLastLayerNorm {
		return nil
	}
	return []*nn.Param{h.WeightG}
}

func (h *DINOHead) NumParams() int { return nn.CountParams(h) }

// Forward maps (N, In) or (N, L, In) (patch tokens) to (…, Out).
func (h *DINOHead) Forward(x *G.Node) (*G.Node, error) {
	if x == nil || (x.Dims() != 2 && x.Dims() != 3) || x.Shape()[x.Dims()-1] != h.Config.In {
		return nil, fmt.Errorf("head: DINO head wants (N, %d) or (N, L, %d) features, got %v", h.Config.In, h.Config.In, shapeOf(x))
	}
	s := x.Shape().Clone()
	flat := x
	var err error
	if len(s) == 3 {
		if flat, err = G.Reshape(x, tensor.Shape{s[0] * s[1], s[2]}); err != nil {
			return nil, err
		}
	}
	z, err := h.MLP.Forward(flat)
	if err != nil {
		return nil, err
	}
	if z, err = ops.L2Normalize(z, -1, ops.DefaultNormEps); err != nil {
		return nil, err
	}
	g := x.Graph()
	w, err := ops.L2Normalize(h.WeightV.Node(g), 1, ops.DefaultNormEps)
	if err != nil {
		return nil, err
	}
	if w, err = G.BroadcastHadamardProd(w, h.WeightG.Node(g), nil, []byte{1}); err != nil {
		return nil, err
	}
	wt, err := G.Transpose(w)
	if err != nil {
		return nil, err
	}
	y, err := G.Mul(z, wt)
	if err != nil || len(s) == 2 {
		return y, err
	}
	return G.Reshape(y, tensor.Shape{s[0], s[1], h.Config.Out})
}

func shapeOf(x *G.Node) interface{} {
	if x == nil {
		return "nil"
	}
	return x.Shape()
}

func truncNormal(rng *rand.Rand, d []float32, std float64) {
	for i := range d {
		v := rng.NormFloat64()
		for v < -2 || v > 2 {
			v = rng.NormFloat64()
		}
		d[i] = float32(v * std)
	}
}

func clear32(d []float32) {
	for i := range d {
		d[i] = 0
	}
}
