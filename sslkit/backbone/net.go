package backbone

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
)

// Net is a backbone built as a sequence of named layers.
type Net struct {
	// Arch names the architecture ("resnet18-cifar", "efficientnet-b0", …).
	Arch string
	// OutDim is the size of Forward's output per example.
	OutDim int
	// InChannels is the channel count Forward expects.
	InChannels int
	Layers     *nn.Sequential
}

func (n *Net) Children() []nn.Module { return []nn.Module{n.Layers} }
func (n *Net) Params() []*nn.Param   { return n.Layers.Params() }

// NumParams is the number of trainable scalars (torchvision's count).
func (n *Net) NumParams() int { return nn.CountParams(n) }

// Forward maps (N, C, H, W) images to (N, OutDim).
func (n *Net) Forward(x *G.Node) (*G.Node, error) {
	if x == nil || x.Dims() != 4 {
		return nil, fmt.Errorf("backbone %s: want (N, C, H, W) images, got %v", n.Arch, shapeOf(x))
	}
	if x.Shape()[1] != n.InChannels {
		return nil, fmt.Errorf("backbone %s: input has %d channels, want %d", n.Arch, x.Shape()[1], n.InChannels)
	}
	y, err := n.Layers.Forward(x)
	if err != nil {
		return nil, fmt.Errorf("backbone %s: %w", n.Arch, err)
	}
	return y, nil
}

func (n *Net) String() string {
	return fmt.Sprintf("%s (%d parameters, output %d)", n.Arch, n.NumParams(), n.OutDim)
}

// checkChannels validates the fields every backbone config has.
func checkChannels(cfgName, ctor string, inChannels, numClasses int) error {
	if inChannels < 1 {
		return fmt.Errorf("backbone: %s.InChannels %d must be ≥ 1 (start from backbone.%s)", cfgName, inChannels, ctor)
	}
	if numClasses < 0 {
		return fmt.Errorf("backbone: %s.NumClasses %d must be ≥ 0 (0: features)", cfgName, numClasses)
	}
	return nil
}

func shapeOf(x *G.Node) interface{} {
	if x == nil {
		return "nil"
	}
	return x.Shape()
}

// builder accumulates layers and the first construction error, so that
// architecture code reads as a list of layers.
type builder struct {
	mods []nn.Module
	err  error
}

func (b *builder) add(m nn.Module, err error) {
	if b.err != nil {
		return
	}
	if err != nil {
		b.err = err
		return
	}
	b.mods = append(b.mods, m)
}

// conv, bn: helpers that keep the error in the builder.
func (b *builder) conv(c *nn.Conv2d, err error)  { b.add(c, err) }
func (b *builder) bn(n *nn.BatchNorm, err error) { b.add(n, err) }
