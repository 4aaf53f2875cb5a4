package nn

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// ReLU is max(0, x).
type ReLU struct{}

func (ReLU) Forward(x *G.Node) (*G.Node, error) { return relu(x) }
func (ReLU) Params() []*Param                   { return nil }

// GELU is x·Φ(x) with the exact normal CDF (PyTorch's default, not the
// tanh approximation).
type GELU struct{}

func gelu(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
func geluDeriv(x float64) float64 {
	return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
}

func (GELU) Forward(x *G.Node) (*G.Node, error) { return elementwise(x, "GELU", gelu, geluDeriv) }
func (GELU) Params() []*Param                   { return nil }

// SiLU (swish) is x·sigmoid(x), EfficientNet's activation.
type SiLU struct{}

func silu(x float64) float64 { return x / (1 + math.Exp(-x)) }
func siluDeriv(x float64) float64 {
	s := 1 / (1 + math.Exp(-x))
	return s * (1 + x*(1-s))
}

func (SiLU) Forward(x *G.Node) (*G.Node, error) { return elementwise(x, "SiLU", silu, siluDeriv) }
func (SiLU) Params() []*Param                   { return nil }

// Sigmoid is 1/(1+e^-x).
type Sigmoid struct{}

func (Sigmoid) Forward(x *G.Node) (*G.Node, error) { return G.Sigmoid(x) }
func (Sigmoid) Params() []*Param                   { return nil }

// PReLU is max(0,x) + a·min(0,x) with a learnable slope a, shared by all
// channels (channels = 1) or one per channel (axis 1 of the input).
type PReLU struct {
	Weight *Param
}

// NewPReLU makes a PReLU with the given number of slopes (1 or the channel
// count), initialised to init (PyTorch uses 0.25).
func NewPReLU(name string, channels int, init float32) (*PReLU, error) {
	if channels < 1 {
		return nil, errf("PReLU %q: channels must be ≥ 1, got %d", name, channels)
	}
	return &PReLU{Weight: NewParam(join(name, "weight"), filled(init, channels))}, nil
}

func (p *PReLU) Params() []*Param { return []*Param{p.Weight} }

func (p *PReLU) Forward(x *G.Node) (*G.Node, error) {
	pos, err := G.Rectify(x)
	if err != nil {
		return nil, err
	}
	neg, err := G.Sub(x, pos) // min(0, x)
	if err != nil {
		return nil, err
	}
	scaled, err := scaleChannels(neg, p.Weight.Node(x.Graph()))
	if err != nil {
		return nil, errf("PReLU %s: %v", p.Weight.Name, err)
	}
	return G.Add(pos, scaled)
}
