package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// maxPool2d takes the maximum of k×k windows (stride s, padding p that
// never wins, output size rounded down as in PyTorch) as one op that
// reuses its output across steps and works on all cores. The gradient op
// finds each window's maximum again (the first one, as PyTorch does)
// rather than keeping an index tensor between forward and backward.
func maxPool2d(x *G.Node, k, s, p int) (*G.Node, error) {
	xs := x.Shape().Clone()
	if xs.Dims() != 4 || x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("max pool: want a float32 (N, C, H, W) input, got %v %v", x.Dtype(), xs)
	}
	if k < 1 || s < 1 || p < 0 || 2*p > k {
		return nil, fmt.Errorf("max pool: bad kernel %d / stride %d / padding %d (padding at most half the kernel)", k, s, p)
	}
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	ho, wo := (h+2*p-k)/s+1, (w+2*p-k)/s+1
	if ho < 1 || wo < 1 {
		return nil, fmt.Errorf("max pool: kernel %d too large for %dx%d input with padding %d", k, h, w, p)
	}
	outShape := tensor.Shape{n, c, ho, wo}
	planes := n * c
	// argmax returns the input offset (within the plane) of the first
	// maximum of output position (i, j).
	argmax := func(src []float32, i, j int) int {
		r0, c0 := i*s-p, j*s-p
		r1, c1 := min(r0+k, h), min(c0+k, w)
		r0, c0 = max(r0, 0), max(c0, 0)
		at := r0*w + c0
		best := src[at]
		for r := r0; r < r1; r++ {
			row := src[r*w : r*w+c1]
			for col := c0; col < c1; col++ {
				if v := row[col]; v > best {
					best, at = v, r*w+col
				}
			}
		}
		return at
	}
	key := fmt.Sprintf("k%d s%d p%d x%v", k, s, p, xs)
	fwd := &customop.Op{
		Name: "MaxPool2d " + key, Diff: []bool{true}, In: customop.Float32(4), Out: customop.Float32Arg(4),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return outShape.Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			ops.ParallelFor(planes, h*w, func(lo, hi int) {
				for pl := lo; pl < hi; pl++ {
					src, dst := in[0][pl*h*w:(pl+1)*h*w], out[pl*ho*wo:(pl+1)*ho*wo]
					for i := 0; i < ho; i++ {
						for j := 0; j < wo; j++ {
							dst[i*wo+j] = src[argmax(src, i, j)]
						}
					}
				}
			})
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "MaxPool2dGrad " + key, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil },
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				ops.ParallelFor(planes, h*w, func(lo, hi int) {
					for pl := lo; pl < hi; pl++ {
						src, g, dst := in[0][pl*h*w:(pl+1)*h*w], in[1][pl*ho*wo:(pl+1)*ho*wo], out[pl*h*w:(pl+1)*h*w]
						for i := 0; i < ho; i++ {
							for j := 0; j < wo; j++ {
								dst[argmax(src, i, j)] += g[i*wo+j]
							}
						}
					}
				})
			},
		}, true), inputs[0], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x)
}
