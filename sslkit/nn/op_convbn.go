package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// convBNEval is a convolution followed by an evaluation-mode BatchNorm
// (and a ReLU with fuseReLU) as one op: the batch norm is a per-channel
// affine map applied to the convolution's output in place, so the
// convolution's output is never stored apart from the result (a
// ResNet-50 forward pass keeps half the tensors). Sequential uses it for
// Conv2d (one group, no bias) → BatchNorm (evaluation mode, affine) [→
// ReLU]. It is differentiable w.r.t. x, W, γ and β like the two layers
// (fine-tuning through a frozen BatchNorm): dz = dy·[y > 0]·s feeds the
// convolution's gradient ops, and dγ recomputes the convolution.
func convBNEval(x, w, gamma, beta, mean, variance *G.Node, stride, pad, dil int, eps float64, fuseReLU bool) (*G.Node, error) {
	geom, err := newConvGeom(x.Shape(), w.Shape(), stride, pad, dil)
	if err != nil {
		return nil, err
	}
	gemm.Install()
	ys := geom.outShape.Clone()
	bg := newBNGeom(ys)
	for _, v := range []*G.Node{gamma, beta, mean, variance} {
		if v.Shape().TotalSize() != bg.c || v.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("conv+batch norm: %s has %v %v values, want %d float32 channels", v.Name(), v.Shape(), v.Dtype(), bg.c)
		}
	}
	name := "Conv2dBNEval"
	if fuseReLU {
		name = "Conv2dBNReLUEval"
	}
	convKey := fmt.Sprintf("s%d p%d d%d x%v w%v", stride, pad, dil, geom.inShape, geom.wShape)
	key := fmt.Sprintf("%s eps%g %s", convKey, eps, mean.Name())
	yShape := func([]tensor.Shape) (tensor.Shape, error) { return ys.Clone(), nil }
	vec := func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{bg.c}, nil }
	invStd := func(v []float32, c int) float32 { return float32(1 / math.Sqrt(float64(v[c])+eps)) }
	fwd := &customop.Op{
		Name: name + " " + key, Diff: []bool{true, true, true, true, false, false}, Shape: yShape,
		In: customop.Float32(4, 4, 1, 1, 1, 1), Out: customop.Float32Arg(4),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.forward(in[0], in[1], out)
			gd, bd, md, vd := in[2], in[3], in[4], in[5]
			bg.perChannel(func(c, off int) {
				scale := gd[c] * invStd(vd, c)
				shift := bd[c] - md[c]*scale
				dst := out[off : off+bg.s]
				scaleShift(dst, dst, scale, shift, fuseReLU)
			})
		},
	}
	fwd.Grad = func(inputs G.Nodes, output, dy *G.Node) (G.Nodes, error) {
		fused := reluGrad{fuseReLU, output, 4}
		withY, ranks := fused.inputs, fused.ranks
		// dyMasked is dy where the fused ReLU passed, else dy.
		dyMasked := func(in [][]float32, dyAt, yAt, i int) float32 {
			if fuseReLU && in[yAt][i] <= 0 {
				return 0
			}
			return in[dyAt][i]
		}
		dz, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradConvOutput " + key, Shape: yShape, In: ranks(1, 1, 4), Out: customop.Float32Arg(4),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				gd, vd := in[0], in[1]
				bg.perChannel(func(c, off int) {
					scale := gd[c] * invStd(vd, c)
					for i := off; i < off+bg.s; i++ {
						out[i] = dyMasked(in, 2, 3, i) * scale
					}
				})
			},
		}, false), withY(inputs[2], inputs[5], dy)...)
		if err != nil {
			return nil, err
		}
		dx, dw, err := convGrads(geom, convKey, inputs[0], inputs[1], dz)
		if err != nil {
			return nil, err
		}
		dGamma, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradScale " + key, Shape: vec, In: ranks(4, 4, 1, 1, 4), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				z := getScratch(ys.TotalSize())
				defer putScratch(z)
				geom.forward(in[0], in[1], z)
				md, vd := in[2], in[3]
				ops.ParallelFor(bg.c, bg.count(), func(lo, hi int) {
					for c := lo; c < hi; c++ {
						var sum float64
						for n := 0; n < bg.n; n++ {
							off := (n*bg.c + c) * bg.s
							var part float32
							for i := off; i < off+bg.s; i++ {
								part += dyMasked(in, 4, 5, i) * (z[i] - md[c])
							}
							sum += float64(part)
						}
						out[c] = float32(sum) * invStd(vd, c)
					}
				})
			},
		}, false), withY(inputs[0], inputs[1], inputs[4], inputs[5], dy)...)
		if err != nil {
			return nil, err
		}
		dBeta, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradShift " + key, Shape: vec, In: ranks(4), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				ops.ParallelFor(bg.c, bg.count(), func(lo, hi int) {
					for c := lo; c < hi; c++ {
						var sum float64
						for n := 0; n < bg.n; n++ {
							off := (n*bg.c + c) * bg.s
							var part float32
							for i := off; i < off+bg.s; i++ {
								part += dyMasked(in, 0, 1, i)
							}
							sum += float64(part)
						}
						out[c] = float32(sum)
					}
				})
			},
		}, false), withY(dy)...)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dw, dGamma, dBeta, nil, nil}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x, w, gamma, beta, mean, variance)
}

// forwardBN runs c then bn (then a ReLU with relu) as one convBNEval op
// where it applies: float32, one group, no convolution bias, bn in
// evaluation mode with γ and β. ok is false where it does not.
func (c *Conv2d) forwardBN(x *G.Node, bn *BatchNorm, relu bool) (y *G.Node, ok bool, err error) {
	if bn.training || bn.Weight == nil || !bn.spatial || c.Bias != nil || c.Opt.Groups != 1 ||
		x.Dtype() != tensor.Float32 || x.Dims() != 4 || x.Shape()[1] != c.In || bn.Features != c.Out {
		return nil, false, nil
	}
	g := x.Graph()
	y, err = convBNEval(x, c.Weight.Node(g), bn.Weight.Node(g), bn.Bias.Node(g), bn.RunningMean.Node(g), bn.RunningVar.Node(g),
		c.Opt.Stride, c.Opt.Padding, c.Opt.Dilation, bn.Eps, relu)
	if err != nil {
		return nil, true, errf("Conv2d %s + BatchNorm %s: %v", c.Weight.Name, bn.RunningMean.Name, err)
	}
	return y, true, nil
}
