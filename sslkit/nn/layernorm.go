package nn

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gossl/gossl/sslkit/nn/ops"
)

// LayerNormOptions configure LayerNorm. Start from DefaultLayerNormOptions
// and change the fields you need; every field is used as given.
type LayerNormOptions struct {
	// Eps ≥ 0 is added to the variance. Default 1e-5, torch.nn.LayerNorm's
	// (DINO's and Swin's ViTs use 1e-6: set it when porting them).
	Eps float64
}

// DefaultLayerNormOptions returns torch.nn.LayerNorm's default eps 1e-5.
func DefaultLayerNormOptions() LayerNormOptions { return LayerNormOptions{Eps: 1e-5} }

// LayerNorm normalises over the last axis (of size Features) with a
// learnable per-feature scale and shift.
type LayerNorm struct {
	Features     int
	Eps          float64
	Weight, Bias *Param
}

// NewLayerNorm makes a LayerNorm over the last axis.
func NewLayerNorm(name string, features int, opt LayerNormOptions) (*LayerNorm, error) {
	if features < 1 {
		return nil, errf("LayerNorm %q: features must be ≥ 1, got %d", name, features)
	}
	if !(opt.Eps >= 0) || math.IsInf(opt.Eps, 1) {
		return nil, errf("LayerNorm %q: LayerNormOptions.Eps %g must be ≥ 0 (start from nn.DefaultLayerNormOptions())", name, opt.Eps)
	}
	return &LayerNorm{Features: features, Eps: opt.Eps,
		Weight: NewParam(join(name, "weight"), filled(1, features)),
		Bias:   NewParam(join(name, "bias"), zeros(features))}, nil
}

func (l *LayerNorm) Params() []*Param { return []*Param{l.Weight, l.Bias} }

func (l *LayerNorm) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("LayerNorm "+l.Weight.Name, x, 2, 3, 4); err != nil {
		return nil, err
	}
	last := x.Dims() - 1
	if x.Shape()[last] != l.Features {
		return nil, errf("LayerNorm %s: last axis is %d, want %d", l.Weight.Name, x.Shape()[last], l.Features)
	}
	keep := make([]int, last)
	for i := range keep {
		keep[i] = i
	}
	mean, err := ops.MeanAxes(x, last)
	if err != nil {
		return nil, err
	}
	xc, err := expandTo(G.BroadcastSub, x, mean, keep...)
	if err != nil {
		return nil, err
	}
	variance, err := ops.MeanAxes(G.Must(G.Square(xc)), last)
	if err != nil {
		return nil, err
	}
	std, err := G.Sqrt(G.Must(G.Add(variance, G.NewConstant(float32(l.Eps)))))
	if err != nil {
		return nil, err
	}
	y, err := expandTo(G.BroadcastHadamardDiv, xc, std, keep...)
	if err != nil {
		return nil, err
	}
	g := x.Graph()
	if y, err = alongAxis(G.BroadcastHadamardProd, y, l.Weight.Node(g), last); err != nil {
		return nil, err
	}
	return alongAxis(G.BroadcastAdd, y, l.Bias.Node(g), last)
}
