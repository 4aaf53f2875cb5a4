package main

import (
	"fmt"
	"math/rand"
	"sort"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A case is one benchmarked step; bench/torch/train_bench.py has the same
// cases under the same names.
type caseDef struct {
	images int // images (or embeddings) per step
	steps  int // default timed steps
	desc   string
	build  func() (*stepper, error)
}

var caseDefs = map[string]caseDef{
	"resnet18": {128, 3, "SimCLR step: ResNet-18 (CIFAR stem) on 128 images 3×32×32 (64 pairs of views, one batch), projector 512-512-128, NT-Xent τ=0.5, forward+backward+SGD update",
		func() (*stepper, error) {
			net, err := backbone.NewResNet(backbone.ResNetConfig{Depth: 18, CIFARStem: true, InChannels: 3}, rand.New(rand.NewSource(1)))
			if err != nil {
				return nil, err
			}
			return simclrStep(net, 512, tensor.Shape{128, 3, 32, 32})
		}},
	"smallcnn": {128, 10, "SimCLR step: backbone.NewSmallCNN(1, 128) on 128 images 1×28×28 (64 pairs), projector 128-128-128, NT-Xent τ=0.5, forward+backward+SGD update",
		func() (*stepper, error) {
			net, err := backbone.NewSmallCNN(1, 128, rand.New(rand.NewSource(1)))
			if err != nil {
				return nil, err
			}
			return simclrStep(net, 128, tensor.Shape{128, 1, 28, 28})
		}},
	"resnet50fwd": {8, 5, "ResNet-50 (ImageNet stem) forward in evaluation mode on 8 images 3×224×224",
		func() (*stepper, error) {
			net, err := backbone.NewResNet(backbone.DefaultResNetConfig(50), rand.New(rand.NewSource(1)))
			if err != nil {
				return nil, err
			}
			nn.SetTraining(net, false)
			g := G.NewGraph()
			x := input(g, "x", tensor.Shape{8, 3, 224, 224}, 2)
			if _, err := net.Forward(x); err != nil {
				return nil, err
			}
			return newStepper(g, nil), nil
		}},
	"ntxent": {1024, 20, "NT-Xent τ=0.5 on 512 pairs of 128-d embeddings, forward+backward (images = 1024 embeddings)",
		func() (*stepper, error) {
			return lossStep(512, 128, func(a, b *G.Node) (*G.Node, error) {
				return loss.NTXent(a, b, loss.NTXentOptions{Temperature: 0.5})
			})
		}},
	"barlow": {512, 10, "Barlow Twins on 256 pairs of 2048-d embeddings, forward+backward (images = 512 embeddings)",
		func() (*stepper, error) {
			return lossStep(256, 2048, func(a, b *G.Node) (*G.Node, error) {
				return loss.BarlowTwins(a, b, loss.DefaultBarlowTwinsOptions())
			})
		}},
}

func caseNames() []string {
	var s []string
	for k := range caseDefs {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func input(g *G.ExprGraph, name string, shape tensor.Shape, seed int64) *G.Node {
	rng := rand.New(rand.NewSource(seed))
	d := make([]float32, shape.TotalSize())
	for i := range d {
		d[i] = float32(rng.NormFloat64())
	}
	return G.NewTensor(g, tensor.Float32, shape.Dims(), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))))
}

// simclrStep: net → projector → split into two views → NT-Xent, with
// gradients for every parameter.
func simclrStep(net *backbone.Net, feat int, shape tensor.Shape) (*stepper, error) {
	proj, err := head.SimCLRProjector("projector", feat, feat, 128, rand.New(rand.NewSource(2)))
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	x := input(g, "x", shape, 3)
	h, err := net.Forward(x)
	if err != nil {
		return nil, err
	}
	z, err := proj.Forward(h)
	if err != nil {
		return nil, err
	}
	half := shape[0] / 2
	z1, err := ops.Slice(z, 0, 0, half) // not G.Slice: it hashes bounds as bytes, merging 0:256 with 256:512
	if err != nil {
		return nil, err
	}
	z2, err := ops.Slice(z, 0, half, shape[0])
	if err != nil {
		return nil, err
	}
	l, err := loss.NTXent(z1, z2, loss.NTXentOptions{Temperature: 0.5})
	if err != nil {
		return nil, err
	}
	params := append(nn.ParamNodes(net, g), nn.ParamNodes(proj, g)...)
	if _, err := G.Grad(l, params...); err != nil {
		return nil, err
	}
	return newStepper(g, params), nil
}

func lossStep(n, d int, build func(a, b *G.Node) (*G.Node, error)) (*stepper, error) {
	g := G.NewGraph()
	z1 := input(g, "z1", tensor.Shape{n, d}, 4)
	z2 := input(g, "z2", tensor.Shape{n, d}, 5)
	l, err := build(z1, z2)
	if err != nil {
		return nil, err
	}
	if _, err := G.Grad(l, z1, z2); err != nil {
		return nil, err
	}
	return newStepper(g, nil), nil
}

// stepper runs a graph's tape machine and applies plain SGD to params.
type stepper struct {
	g      *G.ExprGraph
	vm     G.VM
	params G.Nodes
}

func newStepper(g *G.ExprGraph, params G.Nodes) *stepper {
	return &stepper{g: g, vm: G.NewTapeMachine(g), params: params}
}

func (s *stepper) close() { s.vm.Close() }

func (s *stepper) step() error {
	s.vm.Reset()
	if err := s.vm.RunAll(); err != nil {
		return err
	}
	const lr = 0.01
	for _, p := range s.params {
		gv, err := p.Grad()
		if err != nil {
			return fmt.Errorf("%s: %v", p.Name(), err)
		}
		w, ok1 := p.Value().Data().([]float32)
		d, ok2 := gv.Data().([]float32)
		if !ok1 || !ok2 || len(w) != len(d) {
			return fmt.Errorf("%s: gradient does not match the parameter", p.Name())
		}
		for i := range w {
			w[i] -= lr * d[i]
		}
	}
	return nil
}

// activMiB is the size of every tensor the step computes (forward and
// backward op outputs), the yardstick for allocation per step.
func (s *stepper) activMiB() float64 {
	var n int
	for _, nd := range s.g.AllNodes() {
		if nd.Op() == nil {
			continue
		}
		if sz := nd.Shape().TotalSize(); sz > 0 {
			n += sz
		} else {
			n++
		}
	}
	return float64(n) * 4 / (1 << 20)
}
