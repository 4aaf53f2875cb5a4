package main

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// simclr is a SimCLR training graph: ResNet-18 with the CIFAR stem (3×3
// convolution, no max-pool), a Linear-ReLU-Linear projection head and
// NT-Xent over 2N views, written with gorgonia's own ops only, so the
// executor runs every step on the device. Batch norm uses the batch's
// statistics (training mode); running statistics are not kept, as they do
// not change the step's cost.
type simclr struct {
	g      *G.ExprGraph
	x      *G.Node // (2N, 3, H, W): both views of N images
	loss   *G.Node
	params G.Nodes
	grads  G.Nodes
}

type builder struct {
	g      *G.ExprGraph
	rng    *rand.Rand
	params G.Nodes
	err    error
}

func (b *builder) ok(n *G.Node, err error) *G.Node {
	if err != nil && b.err == nil {
		b.err = err
	}
	return n
}

func (b *builder) param(name string, scale float64, shape ...int) *G.Node {
	n := 1
	for _, d := range shape {
		n *= d
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(b.rng.NormFloat64() * scale)
	}
	p := G.NewTensor(b.g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))))
	b.params = append(b.params, p)
	return p
}

func (b *builder) filled(name string, v float32, shape ...int) *G.Node {
	n := 1
	for _, d := range shape {
		n *= d
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = v
	}
	p := G.NewTensor(b.g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))))
	b.params = append(b.params, p)
	return p
}

func (b *builder) conv(name string, x *G.Node, out, k, stride int) *G.Node {
	in := x.Shape()[1]
	w := b.param(name, math.Sqrt(2/float64(in*k*k)), out, in, k, k)
	pad := k / 2
	return b.ok(G.Conv2d(x, w, tensor.Shape{k, k}, []int{pad, pad}, []int{stride, stride}, []int{1, 1}))
}

var chanAxes = []byte{0, 2, 3}

// sumAxes sums along the given axes one at a time, last first: gorgonia's
// own multi-axis Sum of a 4-D tensor panics in its reduction engine (index
// out of range in tensor's reduceDefaultF32).
func (b *builder) sumAxes(x *G.Node, axes ...int) *G.Node {
	for i := len(axes) - 1; i >= 0; i-- {
		x = b.ok(G.Sum(x, axes[i]))
	}
	return x
}

func (b *builder) bn(name string, x *G.Node) *G.Node {
	s := x.Shape()
	c := s[1]
	m := float32(s[0] * s[2] * s[3])
	gamma := b.filled(name+".γ", 1, c)
	beta := b.filled(name+".β", 0, c)
	mean := b.ok(G.HadamardDiv(b.sumAxes(x, 0, 2, 3), G.NewConstant(m)))
	xc := b.ok(G.BroadcastSub(x, mean, nil, chanAxes))
	v := b.ok(G.HadamardDiv(b.sumAxes(b.ok(G.Square(xc)), 0, 2, 3), G.NewConstant(m)))
	inv := b.ok(G.InverseSqrt(b.ok(G.Add(v, G.NewConstant(float32(1e-5))))))
	xhat := b.ok(G.BroadcastHadamardProd(xc, inv, nil, chanAxes))
	return b.ok(G.BroadcastAdd(b.ok(G.BroadcastHadamardProd(xhat, gamma, nil, chanAxes)), beta, nil, chanAxes))
}

func (b *builder) block(name string, x *G.Node, out, stride int) *G.Node {
	h := b.ok(G.Rectify(b.bn(name+".bn1", b.conv(name+".conv1", x, out, 3, stride))))
	h = b.bn(name+".bn2", b.conv(name+".conv2", h, out, 3, 1))
	short := x
	if stride != 1 || x.Shape()[1] != out {
		short = b.bn(name+".down.bn", b.conv(name+".down", x, out, 1, stride))
	}
	return b.ok(G.Rectify(b.ok(G.Add(h, short))))
}

func (b *builder) linear(name string, x *G.Node, out int, bias bool) *G.Node {
	in := x.Shape()[1]
	w := b.param(name+".w", math.Sqrt(1/float64(in)), in, out)
	y := b.ok(G.Mul(x, w))
	if bias {
		y = b.ok(G.BroadcastAdd(y, b.filled(name+".b", 0, out), nil, []byte{0}))
	}
	return y
}

// ntxent is SimCLR's loss on z (2N×D): row i's positive is row (i+N) mod 2N.
func (b *builder) ntxent(z *G.Node, tau float64) *G.Node {
	n2 := z.Shape()[0]
	norm := b.ok(G.Sqrt(b.ok(G.Sum(b.ok(G.Square(z)), 1))))
	zn := b.ok(G.BroadcastHadamardDiv(z, norm, nil, []byte{1}))
	zs := b.ok(G.HadamardProd(zn, G.NewConstant(float32(1/math.Sqrt(tau)))))
	sim := b.ok(G.Mul(zs, b.ok(G.Transpose(zs))))
	off, pos := make([]float32, n2*n2), make([]float32, n2*n2)
	for i := 0; i < n2; i++ {
		for j := 0; j < n2; j++ {
			if i != j {
				off[i*n2+j] = 1
			}
		}
		pos[i*n2+(i+n2/2)%n2] = 1
	}
	offMask := G.NewConstant(tensor.New(tensor.WithShape(n2, n2), tensor.WithBacking(off)), G.WithName("offdiag"))
	posMask := G.NewConstant(tensor.New(tensor.WithShape(n2, n2), tensor.WithBacking(pos)), G.WithName("positives"))
	denom := b.ok(G.Sum(b.ok(G.HadamardProd(b.ok(G.Exp(sim)), offMask)), 1))
	positive := b.ok(G.Sum(b.ok(G.HadamardProd(sim, posMask)), 1))
	return b.ok(G.Mean(b.ok(G.Sub(b.ok(G.Log(denom)), positive))))
}

// buildSimCLR builds the graph for n images (2n views) of size hw×hw.
// width scales the channels (64 for ResNet-18; smaller for the CPU check).
func buildSimCLR(n, hw, width int, seed int64) (*simclr, error) {
	b := &builder{g: G.NewGraph(), rng: rand.New(rand.NewSource(seed))}
	x := G.NewTensor(b.g, tensor.Float32, 4, G.WithShape(2*n, 3, hw, hw), G.WithName("views"))
	h := b.ok(G.Rectify(b.bn("stem.bn", b.conv("stem.conv", x, width, 3, 1))))
	for li, mult := range []int{1, 2, 4, 8} {
		stride := 2
		if li == 0 {
			stride = 1
		}
		h = b.block(fmt.Sprintf("layer%d.0", li+1), h, width*mult, stride)
		h = b.block(fmt.Sprintf("layer%d.1", li+1), h, width*mult, 1)
	}
	if b.err != nil {
		return nil, b.err
	}
	s := h.Shape()
	feat := b.ok(G.Reshape(b.ok(G.HadamardDiv(b.sumAxes(h, 2, 3), G.NewConstant(float32(s[2]*s[3])))), tensor.Shape{s[0], s[1]}))
	z := b.linear("head.1", feat, s[1], true)
	z = b.ok(G.Rectify(z))
	z = b.linear("head.2", z, 128, false)
	loss := b.ntxent(z, 0.5)
	if b.err != nil {
		return nil, b.err
	}
	grads, err := G.Grad(loss, b.params...)
	if err != nil {
		return nil, fmt.Errorf("differentiating the SimCLR loss: %w", err)
	}
	return &simclr{g: b.g, x: x, loss: loss, params: b.params, grads: grads}, nil
}

func countParams(ns G.Nodes) int {
	total := 0
	for _, n := range ns {
		total += n.Shape().TotalSize()
	}
	return total
}
