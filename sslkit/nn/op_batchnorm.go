package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// Training-mode batch normalisation as one fused op. Composed from
// gorgonia primitives it took about fifteen nodes, each broadcast
// materialising a full-size copy; fused, a ResNet step allocates far less
// and runs faster. The backward ops recompute the batch statistics from x
// instead of keeping state between forward and backward.

// bnGeom views x as (N, C, S): S = H·W for images, 1 for vectors.
type bnGeom struct{ n, c, s int }

func newBNGeom(x tensor.Shape) bnGeom {
	g := bnGeom{n: x[0], c: x[1], s: 1}
	for _, d := range x[2:] {
		g.s *= d
	}
	return g
}

func (g bnGeom) count() int { return g.n * g.s }

// stats returns each channel's mean and 1/sqrt(biased variance + eps),
// accumulated in float64, channels spread over the cores.
func (g bnGeom) stats(x []float32, eps float64) (mean, invStd, variance []float64) {
	mean = make([]float64, g.c)
	variance = make([]float64, g.c)
	invStd = make([]float64, g.c)
	m := float64(g.count())
	ops.ParallelFor(g.c, 2*g.count(), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var sum float64
			for n := 0; n < g.n; n++ {
				var part float32 // short float32 runs, float64 across them
				for _, v := range x[(n*g.c+c)*g.s : (n*g.c+c+1)*g.s] {
					part += v
				}
				sum += float64(part)
			}
			mu := sum / m
			var sq float64
			for n := 0; n < g.n; n++ {
				for _, v := range x[(n*g.c+c)*g.s : (n*g.c+c+1)*g.s] {
					d := float64(v) - mu
					sq += d * d
				}
			}
			mean[c], variance[c] = mu, sq/m
			invStd[c] = 1 / math.Sqrt(sq/m+eps)
		}
	})
	return mean, invStd, variance
}

// sums returns per channel Σdy and Σdy·x̂.
func (g bnGeom) sums(x, dy []float32, mean, invStd []float64) (sumDy, sumDyXhat []float64) {
	sumDy = make([]float64, g.c)
	sumDyXhat = make([]float64, g.c)
	ops.ParallelFor(g.c, 2*g.count(), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			mu := float32(mean[c])
			var a, b float64
			for n := 0; n < g.n; n++ {
				off := (n*g.c + c) * g.s
				var pa, pb float32
				for i, d := range dy[off : off+g.s] {
					pa += d
					pb += d * (x[off+i] - mu)
				}
				a += float64(pa)
				b += float64(pb)
			}
			sumDy[c], sumDyXhat[c] = a, b*invStd[c]
		}
	})
	return sumDy, sumDyXhat
}

// perChannel calls f(c, off) for every (image, channel) block of g.s
// values, channels spread over the cores.
func (g bnGeom) perChannel(f func(c, off int)) {
	ops.ParallelFor(g.c, g.count(), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			for n := 0; n < g.n; n++ {
				f(c, (n*g.c+c)*g.s)
			}
		}
	})
}

// batchNormTrain applies y = γ·x̂ + β with batch statistics to x, γ, β and,
// on every run, folds the statistics into the running buffers.
func (b *BatchNorm) batchNormTrain(x, gamma, beta *G.Node) (*G.Node, error) {
	xs := x.Shape().Clone()
	r := len(xs)
	geom := newBNGeom(xs)
	if geom.count() < 2 {
		return nil, fmt.Errorf("training needs more than one value per channel, input shape %v", xs)
	}
	eps, mom := b.Eps, float32(b.Momentum)
	unbias := float64(geom.count()) / float64(geom.count()-1)
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
	key := fmt.Sprintf("%s %p x%v eps%g", b.RunningMean.Name, b, xs, eps)
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	fwd := &customop.Op{
		Name: "BatchNormTrain " + key, Diff: []bool{true, true, true}, Shape: same, In: customop.Float32(r, 1, 1), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			xd, gd, bd := in[0], in[1], in[2]
			mean, invStd, variance := geom.stats(xd, eps)
			geom.perChannel(func(c, off int) {
				scale := float32(invStd[c]) * gd[c]
				shift := bd[c] - float32(mean[c])*scale
				dst := out[off : off+geom.s]
				for i, v := range xd[off : off+geom.s] {
					dst[i] = v*scale + shift
				}
			})
			for c := range rm {
				rm[c] = (1-mom)*rm[c] + mom*float32(mean[c])
				rv[c] = (1-mom)*rv[c] + mom*float32(variance[c]*unbias)
			}
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		vec := func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{geom.c}, nil }
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "BatchNormTrainGradInput " + key, Shape: same, In: customop.Float32(r, 1, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xd, gd, dyd := in[0], in[1], in[2]
				mean, invStd, _ := geom.stats(xd, eps)
				sumDy, sumDyXhat := geom.sums(xd, dyd, mean, invStd)
				m := float64(geom.count())
				geom.perChannel(func(c, off int) {
					// dx = k·(dy − a − x̂·b) = k·dy + (k·b·invStd·mean − k·a) − k·b·invStd·x
					k := float64(gd[c]) * invStd[c]
					a, bb := sumDy[c]/m, sumDyXhat[c]/m
					kx := float32(k * bb * invStd[c])
					k0 := float32(k*bb*invStd[c]*mean[c] - k*a)
					kf := float32(k)
					dst := out[off : off+geom.s]
					for i, v := range xd[off : off+geom.s] {
						dst[i] = kf*dyd[off+i] + k0 - kx*v
					}
				})
			},
		}, false), inputs[0], inputs[1], dy)
		if err != nil {
			return nil, err
		}
		dGamma, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "BatchNormTrainGradScale " + key, Shape: vec, In: customop.Float32(r, r), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				mean, invStd, _ := geom.stats(in[0], eps)
				_, s := geom.sums(in[0], in[1], mean, invStd)
				for c := range out {
					out[c] = float32(s[c])
				}
			},
		}, false), inputs[0], dy)
		if err != nil {
			return nil, err
		}
		dBeta, err := G.ApplyOp(geom.shiftGrad("BatchNormTrainGradShift "+key, r), dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dGamma, dBeta}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x, gamma, beta)
}

// batchNormEval applies y = γ·(x − running mean)/sqrt(running var + eps) + β
// as one op (reused output, channels on all cores) instead of four
// broadcast nodes, each a full-size copy. It is differentiable with
// respect to x, γ and β (fine-tuning or a linear probe through a frozen
// BatchNorm); the running statistics are constants of the graph.
func batchNormEval(x, gamma, beta, mean, variance *G.Node, eps float64) (*G.Node, error) {
	xs := x.Shape().Clone()
	r := len(xs)
	if r < 2 {
		return nil, fmt.Errorf("eval batch norm: input %v has no channel axis", xs)
	}
	geom := newBNGeom(xs)
	for _, v := range []*G.Node{gamma, beta, mean, variance} {
		if v.Shape().TotalSize() != geom.c {
			return nil, fmt.Errorf("eval batch norm: %s has %v values, want %d channels", v.Name(), v.Shape(), geom.c)
		}
	}
	key := fmt.Sprintf("x%v eps%g %s", xs, eps, mean.Name())
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	vec := func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{geom.c}, nil }
	invStd := func(v []float32, c int) float32 { return float32(1 / math.Sqrt(float64(v[c])+eps)) }
	fwd := &customop.Op{
		Name: "BatchNormEval " + key, Diff: []bool{true, true, true, false, false}, Shape: same, In: customop.Float32(r, 1, 1, 1, 1), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			xd, gd, bd, md, vd := in[0], in[1], in[2], in[3], in[4]
			geom.perChannel(func(c, off int) {
				scale := gd[c] * invStd(vd, c)
				shift := bd[c] - md[c]*scale
				dst := out[off : off+geom.s]
				for i, v := range xd[off : off+geom.s] {
					dst[i] = v*scale + shift
				}
			})
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "BatchNormEvalGradInput " + key, Shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil }, In: customop.Float32(1, 1, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				gd, vd, dyd := in[0], in[1], in[2]
				geom.perChannel(func(c, off int) {
					scale := gd[c] * invStd(vd, c)
					dst := out[off : off+geom.s]
					for i, v := range dyd[off : off+geom.s] {
						dst[i] = v * scale
					}
				})
			},
		}, false), inputs[1], inputs[4], dy)
		if err != nil {
			return nil, err
		}
		dGamma, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "BatchNormEvalGradScale " + key, Shape: vec, In: customop.Float32(r, 1, 1, r), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xd, md, vd, dyd := in[0], in[1], in[2], in[3]
				ops.ParallelFor(geom.c, geom.count(), func(lo, hi int) {
					for c := lo; c < hi; c++ {
						var sum float64
						for n := 0; n < geom.n; n++ {
							off := (n*geom.c + c) * geom.s
							var part float32
							for i, d := range dyd[off : off+geom.s] {
								part += d * (xd[off+i] - md[c])
							}
							sum += float64(part)
						}
						out[c] = float32(sum) * invStd(vd, c)
					}
				})
			},
		}, false), inputs[0], inputs[3], inputs[4], dy)
		if err != nil {
			return nil, err
		}
		dBeta, err := G.ApplyOp(geom.shiftGrad("BatchNormEvalGradShift "+key, r), dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dGamma, dBeta, nil, nil}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x, gamma, beta, mean, variance)
}

// shiftGrad is the gradient of a per-channel shift (BatchNorm's β): dy
// summed over every axis but the channel's, the same in training and
// evaluation mode.
func (geom bnGeom) shiftGrad(name string, rank int) *customop.Op {
	return newReuseOp(&customop.Op{
		Name: name, In: customop.Float32(rank), Out: customop.Float32Arg(1),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{geom.c}, nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			ops.ParallelFor(geom.c, geom.count(), func(lo, hi int) {
				for c := lo; c < hi; c++ {
					var sum float64
					for n := 0; n < geom.n; n++ {
						var s float32
						for _, v := range in[0][(n*geom.c+c)*geom.s : (n*geom.c+c+1)*geom.s] {
							s += v
						}
						sum += float64(s)
					}
					out[c] = float32(sum)
				}
			})
		},
	}, false)
}
