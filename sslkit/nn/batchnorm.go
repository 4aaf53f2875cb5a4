package nn

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BNOptions configure BatchNorm. Start from DefaultBNOptions (PyTorch's
// defaults) and change the fields you need; every field is used as given,
// so Momentum 0 freezes the running statistics (a literal BNOptions{}
// does that too).
type BNOptions struct {
	// Eps ≥ 0 is added to the variance. Default 1e-5, as in
	// torch.nn.BatchNorm*d.
	Eps float64
	// Momentum ∈ [0, 1] of the running statistics,
	// running = (1−momentum)·running + momentum·batch. Default 0.1, as in
	// PyTorch (Keras/TF's 0.99 is 1 − this).
	Momentum float64
	// NoAffine drops the learnable scale and shift (torch's affine=False).
	// Default false.
	NoAffine bool
}

// DefaultBNOptions returns PyTorch's BatchNorm defaults: eps 1e-5,
// momentum 0.1, affine.
func DefaultBNOptions() BNOptions { return BNOptions{Eps: 1e-5, Momentum: 0.1} }

// BatchNorm normalises each channel (axis 1) with batch statistics in
// training and running statistics in evaluation. In training every run of
// the graph updates the running statistics as PyTorch does:
// running = (1-momentum)·running + momentum·batch, with the unbiased
// variance.
type BatchNorm struct {
	Features                int
	Eps, Momentum           float64
	Weight, Bias            *Param // nil when NoAffine
	RunningMean, RunningVar *Param
	spatial                 bool
	training                bool
}

// NewBatchNorm1d normalises (N, C) inputs.
func NewBatchNorm1d(name string, features int, opt BNOptions) (*BatchNorm, error) {
	return newBatchNorm(name, features, opt, false)
}

// NewBatchNorm2d normalises (N, C, H, W) inputs over N, H and W.
func NewBatchNorm2d(name string, features int, opt BNOptions) (*BatchNorm, error) {
	return newBatchNorm(name, features, opt, true)
}

func newBatchNorm(name string, features int, opt BNOptions, spatial bool) (*BatchNorm, error) {
	if features < 1 {
		return nil, errf("BatchNorm %q: features must be ≥ 1, got %d", name, features)
	}
	if !(opt.Eps >= 0) || math.IsInf(opt.Eps, 1) {
		return nil, errf("BatchNorm %q: BNOptions.Eps %g must be ≥ 0 (start from nn.DefaultBNOptions())", name, opt.Eps)
	}
	if !(opt.Momentum >= 0 && opt.Momentum <= 1) {
		return nil, errf("BatchNorm %q: BNOptions.Momentum %g must be in [0, 1] (start from nn.DefaultBNOptions())", name, opt.Momentum)
	}
	b := &BatchNorm{Features: features, Eps: opt.Eps, Momentum: opt.Momentum, spatial: spatial, training: true,
		RunningMean: NewParam(join(name, "running_mean"), zeros(features)),
		RunningVar:  NewParam(join(name, "running_var"), filled(1, features)),
	}
	if !opt.NoAffine {
		b.Weight = NewParam(join(name, "weight"), filled(1, features))
		b.Bias = NewParam(join(name, "bias"), zeros(features))
	}
	return b, nil
}

func (b *BatchNorm) Params() []*Param {
	if b.Weight == nil {
		return nil
	}
	return []*Param{b.Weight, b.Bias}
}
func (b *BatchNorm) Buffers() []*Param   { return []*Param{b.RunningMean, b.RunningVar} }
func (b *BatchNorm) SetTraining(on bool) { b.training = on }

func (b *BatchNorm) Forward(x *G.Node) (*G.Node, error) {
	name := b.RunningMean.Name
	dims := 2
	if b.spatial {
		dims = 4
	}
	if err := checkDims("BatchNorm "+name, x, dims); err != nil {
		return nil, err
	}
	if x.Shape()[1] != b.Features {
		return nil, errf("BatchNorm %s: input has %d channels, want %d", name, x.Shape()[1], b.Features)
	}
	var y *G.Node
	var err error
	if b.training {
		y, err = b.trainForward(x, false)
	} else {
		y, err = b.evalForward(x)
	}
	if err != nil {
		return nil, errf("BatchNorm %s: %v", name, err)
	}
	return y, nil
}

// forwardReLU is relu(Forward(x)) as one op where BatchNorm has one for
// it (float32, training mode or affine evaluation mode); Sequential calls
// it for a BatchNorm followed by a ReLU. ok is false where there is none.
func (b *BatchNorm) forwardReLU(x *G.Node) (y *G.Node, ok bool, err error) {
	dims := 2
	if b.spatial {
		dims = 4
	}
	if x.Dtype() != tensor.Float32 || x.Dims() != dims || x.Shape()[1] != b.Features || (!b.training && b.Weight == nil) {
		return nil, false, nil
	}
	if b.training {
		y, err = b.trainForward(x, true)
	} else {
		g := x.Graph()
		y, err = batchNormEval(x, b.Weight.Node(g), b.Bias.Node(g), b.RunningMean.Node(g), b.RunningVar.Node(g), b.Eps, true)
	}
	if err != nil {
		return nil, true, errf("BatchNorm %s: %v", b.RunningMean.Name, err)
	}
	return y, true, nil
}

func (b *BatchNorm) trainForward(x *G.Node, fuseReLU bool) (*G.Node, error) {
	g := x.Graph()
	if b.Weight != nil {
		return b.batchNormTrain(x, b.Weight.Node(g), b.Bias.Node(g), fuseReLU)
	}
	ones := G.NewConstant(filled(1, b.Features), G.WithName(b.RunningMean.Name+".unit_scale"))
	zero := G.NewConstant(zeros(b.Features), G.WithName(b.RunningMean.Name+".zero_shift"))
	return b.batchNormTrain(x, ones, zero, fuseReLU)
}

func (b *BatchNorm) evalForward(x *G.Node) (*G.Node, error) {
	g := x.Graph()
	if b.Weight != nil { // one fused op instead of four broadcast copies
		return batchNormEval(x, b.Weight.Node(g), b.Bias.Node(g), b.RunningMean.Node(g), b.RunningVar.Node(g), b.Eps, false)
	}
	std, err := G.Sqrt(G.Must(G.Add(b.RunningVar.Node(g), G.NewConstant(float32(b.Eps)))))
	if err != nil {
		return nil, err
	}
	xc, err := shiftChannels(x, G.Must(G.Neg(b.RunningMean.Node(g))))
	if err != nil {
		return nil, err
	}
	scale := G.Must(G.Inverse(std))
	if b.Weight != nil {
		scale = G.Must(G.HadamardProd(scale, b.Weight.Node(g)))
	}
	y, err := scaleChannels(xc, scale)
	if err != nil || b.Bias == nil {
		return y, err
	}
	return shiftChannels(y, b.Bias.Node(g))
}
