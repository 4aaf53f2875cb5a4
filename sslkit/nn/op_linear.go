package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// linear is y = x·Wᵀ (+ b) for float32 x (N×In), W (Out×In) and b (Out)
// as one op with reused output, and gradient ops of the same kind:
// dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy — each one GEMM (or one pass)
// into memory kept between steps. gorgonia's Transpose and Mul would
// materialise Wᵀ and its gradient's transpose and allocate every product
// on every step. b may be nil.
func linear(x, w, b *G.Node) (*G.Node, error) {
	gemm.Install()
	n, in := x.Shape()[0], x.Shape()[1]
	out := w.Shape()[0]
	key := fmt.Sprintf("N%d In%d Out%d bias=%v", n, in, out, b != nil)
	yShape := tensor.Shape{n, out}
	args := customop.Float32(2, 2)
	inputs := G.Nodes{x, w}
	if b != nil {
		args = customop.Float32(2, 2, 1)
		inputs = append(inputs, b)
	}
	fwd := &customop.Op{
		Name: "Linear " + key, In: args, Out: customop.Float32Arg(2),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return yShape.Clone(), nil },
		Kernel: func(y []float32, v [][]float32, _ []tensor.Shape) {
			gemm.Sgemm(false, true, n, out, in, 1, v[0], in, v[1], in, 0, y, out)
			if b != nil {
				bias := v[2]
				customop.ParallelFor(n, out, func(lo, hi int) {
					for r := lo; r < hi; r++ {
						row := y[r*out : (r+1)*out]
						for j := range row {
							row[j] += bias[j]
						}
					}
				})
			}
		},
	}
	fwd.Diff = make([]bool, len(inputs))
	for i := range fwd.Diff {
		fwd.Diff[i] = true
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "LinearGradInput " + key, In: customop.Float32(2, 2), Out: customop.Float32Arg(2),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{n, in}, nil },
			Kernel: func(dx []float32, v [][]float32, _ []tensor.Shape) {
				gemm.Sgemm(false, false, n, in, out, 1, v[1], out, v[0], in, 0, dx, in)
			},
		}, false), inputs[1], dy)
		if err != nil {
			return nil, err
		}
		dw, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "LinearGradWeight " + key, In: customop.Float32(2, 2), Out: customop.Float32Arg(2),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{out, in}, nil },
			Kernel: func(dw []float32, v [][]float32, _ []tensor.Shape) {
				gemm.Sgemm(true, false, out, in, n, 1, v[1], out, v[0], in, 0, dw, in)
			},
		}, false), inputs[0], dy)
		if err != nil {
			return nil, err
		}
		grads := G.Nodes{dx, dw}
		if b == nil {
			return grads, nil
		}
		acc := make([]float64, out)
		db, err := G.ApplyOp(newReuseOp(&customop.Op{
			Name: "LinearGradBias " + key, In: customop.Float32(2), Out: customop.Float32Arg(1),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return tensor.Shape{out}, nil },
			Kernel: func(db []float32, v [][]float32, _ []tensor.Shape) {
				g := v[0]
				customop.ParallelFor(out, 2*n, func(lo, hi int) {
					a := acc[lo:hi]
					clear(a)
					for r := 0; r < n; r++ {
						for j, e := range g[r*out+lo : r*out+hi] {
							a[j] += float64(e)
						}
					}
					for j, s := range a {
						db[lo+j] = float32(s)
					}
				})
			},
		}, false), dy)
		if err != nil {
			return nil, err
		}
		return append(grads, db), nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), inputs...)
}
