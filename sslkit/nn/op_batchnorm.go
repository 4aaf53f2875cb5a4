package nn

import (
	"fmt"
	"math"
	"sync"

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

// statsInto writes each channel's mean, 1/sqrt(biased variance + eps) and
// biased variance, accumulated in float64, channels spread over the cores.
func (g bnGeom) statsInto(x []float32, eps float64, mean, invStd, variance []float64) {
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
}

// sumsInto writes per channel Σdy and Σdy·x̂, dy masked by y > 0 when y
// is not nil.
func (g bnGeom) sumsInto(x, dy, y []float32, mean, invStd, sumDy, sumDyXhat []float64) {
	ops.ParallelFor(g.c, 2*g.count(), func(lo, hi int) {
		for c := lo; c < hi; c++ {
			mu := float32(mean[c])
			var a, b float64
			for n := 0; n < g.n; n++ {
				off := (n*g.c + c) * g.s
				var pa, pb float32
				if y != nil {
					ds := dy[off : off+g.s]
					ys, xs := y[off:off+g.s], x[off:off+g.s]
					for i, d := range ds {
						d = math.Float32frombits(math.Float32bits(d) & passMask(ys[i]))
						pa += d
						pb += d * (xs[i] - mu)
					}
				} else {
					for i, d := range dy[off : off+g.s] {
						pa += d
						pb += d * (x[off+i] - mu)
					}
				}
				a += float64(pa)
				b += float64(pb)
			}
			sumDy[c], sumDyXhat[c] = a, b*invStd[c]
		}
	})
}

// passMask is all ones where y > 0 and zero where y ≤ 0 (−0 included),
// for masking a gradient by a ReLU's output without a branch: on a ReLU's
// output the branch goes either way about half the time and was
// mispredicted on a large share of elements (BenchmarkReLUMaskedSums, 64k
// elements, best of four: 0.67 ms with the branch, 0.19 ms masked at load
// 4; 1.02 and 0.16 ms at load 10). A NaN with its sign bit clear counts
// as positive.
func passMask(y float32) uint32 {
	b := int32(math.Float32bits(y))
	return uint32((-b & ^b) >> 31)
}

// scaleShift writes src·scale + shift to dst, through the ReLU when relu:
// batch norm's apply, alone or with its ReLU fused.
func scaleShift(dst, src []float32, scale, shift float32, relu bool) {
	if relu {
		for i, v := range src {
			dst[i] = max(v*scale+shift, 0)
		}
		return
	}
	for i, v := range src {
		dst[i] = v*scale + shift
	}
}

// reluGrad is what the gradient ops of a batch norm whose ReLU may be fused
// share: with the ReLU fused, each also reads the forward output (of rank
// outRank), to mask dy by output > 0.
type reluGrad struct {
	fused   bool
	output  *G.Node
	outRank int
}

// inputs is n, then the output when the ReLU is fused.
func (f reluGrad) inputs(n ...*G.Node) []*G.Node {
	if f.fused {
		return append(n, f.output)
	}
	return n
}

// ranks is the input ranks of an op whose inputs are inputs(n...).
func (f reluGrad) ranks(rs ...int) []customop.Arg {
	if f.fused {
		rs = append(rs, f.outRank)
	}
	return customop.Float32(rs...)
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

// bnCache carries one training-mode BatchNorm's statistics from its
// forward op to its gradient ops; each run of the forward starts a
// generation. bnSums carries the gradient sums from the first gradient op
// that needs them in a generation to the others (gorgonia runs the
// forward before the gradients in every run). Without them each gradient
// op re-read x for the statistics and the sums: five passes instead of
// one.
type bnCache struct {
	gen                    uint64
	mean, invStd, variance []float64
}

func (k *bnCache) setStats(g bnGeom, x []float32, eps float64) {
	if k.mean == nil {
		k.mean, k.invStd, k.variance = make([]float64, g.c), make([]float64, g.c), make([]float64, g.c)
	}
	g.statsInto(x, eps, k.mean, k.invStd, k.variance)
	k.gen++
}

// bnSums belongs to one set of gradient ops (one gorgonia.Grad call).
type bnSums struct {
	mu               sync.Mutex
	stats            *bnCache
	gen              uint64
	sumDy, sumDyXhat []float64
}

// get returns Σdy' and Σdy'·x̂ per channel for this generation, dy' being
// dy masked by y > 0 when y is not nil (BatchNorm fused with ReLU).
func (k *bnSums) get(g bnGeom, x, dy, y []float32) (sumDy, sumDyXhat []float64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sumDy == nil {
		k.sumDy, k.sumDyXhat = make([]float64, g.c), make([]float64, g.c)
	}
	if k.gen != k.stats.gen {
		g.sumsInto(x, dy, y, k.stats.mean, k.stats.invStd, k.sumDy, k.sumDyXhat)
		k.gen = k.stats.gen
	}
	return k.sumDy, k.sumDyXhat
}

// batchNormTrain applies y = γ·x̂ + β with batch statistics to x, γ, β and,
// on every run, folds the statistics into the running buffers. With
// fuseReLU it returns max(0, y) from the same op (and memory), and its
// gradients mask dy by the output instead of keeping a second tensor.
func (b *BatchNorm) batchNormTrain(x, gamma, beta *G.Node, fuseReLU bool) (*G.Node, error) {
	xs := x.Shape().Clone()
	r := len(xs)
	geom := newBNGeom(xs)
	if geom.count() < 2 {
		return nil, fmt.Errorf("training needs more than one value per channel, input shape %v", xs)
	}
	eps, mom := b.Eps, float32(b.Momentum)
	unbias := float64(geom.count()) / float64(geom.count()-1)
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
	name := "BatchNormTrain"
	if fuseReLU {
		name = "BatchNormReLUTrain"
	}
	key := fmt.Sprintf("%s %p x%v eps%g", b.RunningMean.Name, b, xs, eps)
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	cache := &bnCache{}
	fwd := &customop.Op{
		Name: name + " " + key, Diff: []bool{true, true, true}, Shape: same, In: customop.Float32(r, 1, 1), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			xd, gd, bd := in[0], in[1], in[2]
			cache.setStats(geom, xd, eps)
			mean, invStd, variance := cache.mean, cache.invStd, cache.variance
			geom.perChannel(func(c, off int) {
				scale := float32(invStd[c]) * gd[c]
				shift := bd[c] - float32(mean[c])*scale
				scaleShift(out[off:off+geom.s], xd[off:off+geom.s], scale, shift, fuseReLU)
			})
			for c := range rm {
				rm[c] = (1-mom)*rm[c] + mom*float32(mean[c])
				rv[c] = (1-mom)*rv[c] + mom*float32(variance[c]*unbias)
			}
		},
	}
	fwd.Grad = func(inputs G.Nodes, output, dy *G.Node) (G.Nodes, error) {
		vec := func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{geom.c}, nil }
		sums := &bnSums{stats: cache}
		// The gradient ops read the forward output only to mask dy.
		fused := reluGrad{fuseReLU, output, r}
		extra := fused.inputs
		mask := func(in [][]float32, i int) []float32 {
			if fuseReLU {
				return in[i]
			}
			return nil
		}
		ranks := fused.ranks
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradInput " + key, Shape: same, In: ranks(r, 1, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xd, gd, dyd, yd := in[0], in[1], in[2], mask(in, 3)
				mean, invStd := cache.mean, cache.invStd
				sumDy, sumDyXhat := sums.get(geom, xd, dyd, yd)
				m := float64(geom.count())
				geom.perChannel(func(c, off int) {
					// dx = k·(dy − a − x̂·b) = k·dy + (k·b·invStd·mean − k·a) − k·b·invStd·x
					k := float64(gd[c]) * invStd[c]
					a, bb := sumDy[c]/m, sumDyXhat[c]/m
					kx := float32(k * bb * invStd[c])
					k0 := float32(k*bb*invStd[c]*mean[c] - k*a)
					kf := float32(k)
					dst := out[off : off+geom.s]
					if yd != nil {
						ys := yd[off : off+geom.s]
						for i, v := range xd[off : off+geom.s] {
							d := math.Float32frombits(math.Float32bits(dyd[off+i]) & passMask(ys[i]))
							dst[i] = kf*d + k0 - kx*v
						}
						return
					}
					for i, v := range xd[off : off+geom.s] {
						dst[i] = kf*dyd[off+i] + k0 - kx*v
					}
				})
			},
		}, false), extra(inputs[0], inputs[1], dy)...)
		if err != nil {
			return nil, err
		}
		dGamma, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradScale " + key, Shape: vec, In: ranks(r, r), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				_, s := sums.get(geom, in[0], in[1], mask(in, 2))
				for c := range out {
					out[c] = float32(s[c])
				}
			},
		}, false), extra(inputs[0], dy)...)
		if err != nil {
			return nil, err
		}
		dBeta, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradShift " + key, Shape: vec, In: ranks(r, r), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				s, _ := sums.get(geom, in[0], in[1], mask(in, 2))
				for c := range out {
					out[c] = float32(s[c])
				}
			},
		}, false), extra(inputs[0], dy)...)
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
func batchNormEval(x, gamma, beta, mean, variance *G.Node, eps float64, fuseReLU bool) (*G.Node, error) {
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
	name := "BatchNormEval"
	if fuseReLU {
		name = "BatchNormReLUEval"
	}
	key := fmt.Sprintf("x%v eps%g %s", xs, eps, mean.Name())
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	vec := func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{geom.c}, nil }
	invStd := func(v []float32, c int) float32 { return float32(1 / math.Sqrt(float64(v[c])+eps)) }
	fwd := &customop.Op{
		Name: name + " " + key, Diff: []bool{true, true, true, false, false}, Shape: same, In: customop.Float32(r, 1, 1, 1, 1), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			xd, gd, bd, md, vd := in[0], in[1], in[2], in[3], in[4]
			geom.perChannel(func(c, off int) {
				scale := gd[c] * invStd(vd, c)
				shift := bd[c] - md[c]*scale
				scaleShift(out[off:off+geom.s], xd[off:off+geom.s], scale, shift, fuseReLU)
			})
		},
	}
	fwd.Grad = func(inputs G.Nodes, output, dy *G.Node) (G.Nodes, error) {
		fused := reluGrad{fuseReLU, output, r}
		extra := fused.inputs
		ranks := fused.ranks
		// maskedDy is dy where the fused ReLU passed (y > 0), else dy.
		maskedDy := func(dyd, y []float32, i int) float32 {
			if y != nil && y[i] <= 0 {
				return 0
			}
			return dyd[i]
		}
		yOf := func(in [][]float32, i int) []float32 {
			if fuseReLU {
				return in[i]
			}
			return nil
		}
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradInput " + key, Shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil }, In: ranks(1, 1, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				gd, vd, dyd := in[0], in[1], in[2]
				geom.perChannel(func(c, off int) {
					scale := gd[c] * invStd(vd, c)
					dst := out[off : off+geom.s]
					if fuseReLU {
						y := in[3][off : off+geom.s]
						for i, v := range dyd[off : off+geom.s] {
							if y[i] > 0 {
								dst[i] = v * scale
							} else {
								dst[i] = 0
							}
						}
						return
					}
					for i, v := range dyd[off : off+geom.s] {
						dst[i] = v * scale
					}
				})
			},
		}, false), extra(inputs[1], inputs[4], dy)...)
		if err != nil {
			return nil, err
		}
		dGamma, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: name + "GradScale " + key, Shape: vec, In: ranks(r, 1, 1, r), Out: customop.Float32Arg(1),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xd, md, vd, dyd, y := in[0], in[1], in[2], in[3], yOf(in, 4)
				ops.ParallelFor(geom.c, geom.count(), func(lo, hi int) {
					for c := lo; c < hi; c++ {
						var sum float64
						for n := 0; n < geom.n; n++ {
							off := (n*geom.c + c) * geom.s
							var part float32
							for i, v := range xd[off : off+geom.s] {
								part += maskedDy(dyd, y, off+i) * (v - md[c])
							}
							sum += float64(part)
						}
						out[c] = float32(sum) * invStd(vd, c)
					}
				})
			},
		}, false), extra(inputs[0], inputs[3], inputs[4], dy)...)
		if err != nil {
			return nil, err
		}
		var dBeta *G.Node
		if fuseReLU {
			dBeta, err = G.ApplyOp(newReuseOp(&customop.Op{
				Name: name + "GradShift " + key, Shape: vec, In: customop.Float32(r, r), Out: customop.Float32Arg(1),
				Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
					ops.ParallelFor(geom.c, geom.count(), func(lo, hi int) {
						for c := lo; c < hi; c++ {
							var sum float64
							for n := 0; n < geom.n; n++ {
								off := (n*geom.c + c) * geom.s
								var part float32
								for i := off; i < off+geom.s; i++ {
									part += maskedDy(in[0], in[1], i)
								}
								sum += float64(part)
							}
							out[c] = float32(sum)
						}
					})
				},
			}, false), dy, output)
		} else {
			dBeta, err = G.ApplyOp(geom.shiftGrad(name+"GradShift "+key, r), dy)
		}
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
