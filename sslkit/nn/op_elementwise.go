package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// elementwise applies f to every element of a float32 x. With df set, the
// op is differentiable: its gradient is dy ⊙ df(x), one fused op.
func elementwise(x *G.Node, name string, f, df func(float64) float64) (*G.Node, error) {
	if x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("%s: dtype %v, want Float32", name, x.Dtype())
	}
	r := x.Dims()
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	op := &customop.Op{
		Name: name, In: customop.Float32(r), Out: customop.Float32Arg(r), Shape: same,
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			src := in[0]
			customop.ParallelFor(len(out), 16, func(lo, hi int) {
				for i, v := range src[lo:hi] {
					out[lo+i] = float32(f(float64(v)))
				}
			})
		},
	}
	if df != nil {
		op.Diff = []bool{true}
		op.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
			dx, err := G.ApplyOp(&customop.Op{
				Name: name + "′", In: customop.Float32(r, r), Out: customop.Float32Arg(r), Shape: same,
				Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
					xv, g := in[0], in[1]
					customop.ParallelFor(len(out), 16, func(lo, hi int) {
						for i, v := range xv[lo:hi] {
							out[lo+i] = g[lo+i] * float32(df(float64(v)))
						}
					})
				},
			}, inputs[0], dy)
			if err != nil {
				return nil, err
			}
			return G.Nodes{dx}, nil
		}
	}
	return G.ApplyOp(op, x)
}

// relu is max(0, x) as one reused-output op on all cores, with a gradient
// op (dy where x > 0) of the same kind. gorgonia's Rectify builds a
// comparison tensor and a product for its gradient, each a fresh
// allocation per step; this is one pass each way.
func relu(x *G.Node) (*G.Node, error) {
	if x.Dtype() != tensor.Float32 {
		return G.Rectify(x)
	}
	xs := x.Shape().Clone()
	r := xs.Dims()
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	fwd := &customop.Op{
		Name: fmt.Sprintf("ReLU x%v", xs), Diff: []bool{true}, Shape: same, In: customop.Float32(r), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			src := in[0]
			customop.ParallelFor(len(out), 1, func(lo, hi int) {
				for i, v := range src[lo:hi] {
					if v > 0 {
						out[lo+i] = v
					} else {
						out[lo+i] = 0
					}
				}
			})
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: fmt.Sprintf("ReLUGrad x%v", xs), Shape: same, In: customop.Float32(r, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				xv, g := in[0], in[1]
				customop.ParallelFor(len(out), 1, func(lo, hi int) {
					for i, v := range xv[lo:hi] {
						if v > 0 {
							out[lo+i] = g[lo+i]
						} else {
							out[lo+i] = 0
						}
					}
				})
			},
		}, false), inputs[0], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x)
}

// addReLU is relu(a + b) for two float32 tensors of one shape (a residual
// block's end) as one op with a reused output: the sum is never stored,
// and one gradient op (dy where the output is positive) serves both
// inputs, where gorgonia's Add allocated its sum on every step.
func addReLU(a, b *G.Node) (*G.Node, error) {
	if a.Dtype() != tensor.Float32 || b.Dtype() != tensor.Float32 || !a.Shape().Eq(b.Shape()) {
		sum, err := G.Add(a, b)
		if err != nil {
			return nil, err
		}
		return relu(sum)
	}
	xs := a.Shape().Clone()
	r := xs.Dims()
	same := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	fwd := &customop.Op{
		Name: fmt.Sprintf("AddReLU x%v", xs), Diff: []bool{true, true}, Shape: same, In: customop.Float32(r, r), Out: customop.Float32Arg(r),
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			x, y := in[0], in[1]
			customop.ParallelFor(len(out), 1, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					out[i] = max(x[i]+y[i], 0)
				}
			})
		},
	}
	fwd.Grad = func(_ G.Nodes, output, dy *G.Node) (G.Nodes, error) {
		d, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: fmt.Sprintf("AddReLUGrad x%v", xs), Shape: same, In: customop.Float32(r, r), Out: customop.Float32Arg(r),
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				yv, g := in[0], in[1]
				customop.ParallelFor(len(out), 1, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						out[i] = math.Float32frombits(math.Float32bits(g[i]) & passMask(yv[i]))
					}
				})
			},
		}, false), output, dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{d, d}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), a, b)
}
