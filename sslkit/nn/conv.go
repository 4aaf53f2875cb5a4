package nn

import (
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
)

// ConvOptions are Conv2d's hyper-parameters beyond channel counts and
// kernel size. Zero values mean stride 1, no padding, dilation 1, one
// group, with a bias.
type ConvOptions struct {
	Stride, Padding, Dilation int
	// Groups is 1 (dense convolution) or the input channel count
	// (depthwise convolution, as in MobileNet/EfficientNet).
	Groups int
	NoBias bool
	// KaimingOut initialises weights with He normal (fan_out), as
	// torchvision's ResNet and EfficientNet do, instead of PyTorch's
	// default uniform.
	KaimingOut bool
}

// Conv2d is a 2-D convolution on (N, C, H, W) inputs. Weight has PyTorch's
// layout (Out, In/Groups, K, K).
type Conv2d struct {
	In, Out, Kernel int
	Opt             ConvOptions
	Weight          *Param
	Bias            *Param // nil with NoBias
}

// NewConv2d makes a square-kernel convolution; rng may be nil.
func NewConv2d(name string, in, out, kernel int, opt ConvOptions, rng *rand.Rand) (*Conv2d, error) {
	if opt.Stride == 0 {
		opt.Stride = 1
	}
	if opt.Dilation == 0 {
		opt.Dilation = 1
	}
	if opt.Groups == 0 {
		opt.Groups = 1
	}
	switch {
	case in < 1 || out < 1 || kernel < 1:
		return nil, errf("Conv2d %q: channels and kernel must be ≥ 1, got in=%d out=%d kernel=%d", name, in, out, kernel)
	case opt.Stride < 1 || opt.Padding < 0 || opt.Dilation < 1:
		return nil, errf("Conv2d %q: bad stride %d / padding %d / dilation %d", name, opt.Stride, opt.Padding, opt.Dilation)
	case opt.Groups != 1 && (opt.Groups != in || out != in):
		return nil, errf("Conv2d %q: groups=%d: only 1 or depthwise (groups = in = out) are supported", name, opt.Groups)
	case opt.Groups != 1 && opt.Dilation != 1:
		return nil, errf("Conv2d %q: depthwise convolution supports dilation 1 only", name)
	}
	rng = rngOrDefault(rng)
	perGroup := in / opt.Groups
	fanIn := perGroup * kernel * kernel
	c := &Conv2d{In: in, Out: out, Kernel: kernel, Opt: opt}
	if opt.KaimingOut {
		fanOut := out / opt.Groups * kernel * kernel
		c.Weight = NewParam(join(name, "weight"), kaimingNormal(rng, fanOut, out, perGroup, kernel, kernel))
	} else {
		c.Weight = NewParam(join(name, "weight"), uniform(rng, 1/math.Sqrt(float64(fanIn)), out, perGroup, kernel, kernel))
	}
	if !opt.NoBias {
		if opt.KaimingOut {
			c.Bias = NewParam(join(name, "bias"), zeros(out))
		} else {
			c.Bias = NewParam(join(name, "bias"), uniform(rng, 1/math.Sqrt(float64(fanIn)), out))
		}
	}
	return c, nil
}

func (c *Conv2d) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

func (c *Conv2d) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("Conv2d "+c.Weight.Name, x, 4); err != nil {
		return nil, err
	}
	if x.Shape()[1] != c.In {
		return nil, errf("Conv2d %s: input has %d channels, want %d", c.Weight.Name, x.Shape()[1], c.In)
	}
	g := x.Graph()
	w := c.Weight.Node(g)
	var y *G.Node
	var err error
	if c.Opt.Groups == 1 {
		y, err = conv2d(x, w, c.Opt.Stride, c.Opt.Padding, c.Opt.Dilation)
	} else {
		y, err = depthwiseConv(x, w, c.Opt.Stride, c.Opt.Padding)
	}
	if err != nil {
		return nil, errf("Conv2d %s: %v", c.Weight.Name, err)
	}
	if c.Bias == nil {
		return y, nil
	}
	return shiftChannels(y, c.Bias.Node(g))
}
