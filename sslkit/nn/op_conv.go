package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// Dense 2-D convolution as one op. 3×3 convolutions with stride 1 and
// enough channels run as Winograd F(2×2, 3×3) (op_winograd.go); the rest
// work on a chunk of images at a time: unfold them (im2col) side by side
// on all cores, multiply by the filters with one GEMM (which OpenBLAS or
// gonum parallelise themselves), copy the result into the (N, C, H, W)
// output, move on. gorgonia's Conv2d unfolds the whole batch at once (nine
// times the input for 3×3 kernels), keeps it for the backward pass and
// transposes the result; at batch 128 that held ResNet-18's step at about
// 7 GB. The backward ops unfold again
// instead of keeping the columns. 1×1 convolutions with stride 1 and no
// padding need no unfolding: the image already is its column matrix.
// Outputs and scratch memory are reused from step to step (newReuseOp,
// getScratch).

type convGeom struct {
	n, c, h, w      int // input
	out, k          int // filters (out, c, k, k)
	s, p, d         int // stride, padding, dilation
	ho, wo          int
	rows, cols      int // unfolded image: (c·k·k, ho·wo)
	inSize, ySize   int
	fSize           int
	outShape        tensor.Shape
	inShape, wShape tensor.Shape
}

func newConvGeom(x, w tensor.Shape, s, p, d int) (convGeom, error) {
	if len(x) != 4 || len(w) != 4 || w[1] != x[1] || w[2] != w[3] {
		return convGeom{}, fmt.Errorf("conv: input %v and filters %v do not fit (want filters (O, C, K, K))", x, w)
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], out: w[0], k: w[2], s: s, p: p, d: d}
	span := d*(g.k-1) + 1
	g.ho = (g.h+2*p-span)/s + 1
	g.wo = (g.w+2*p-span)/s + 1
	if g.ho < 1 || g.wo < 1 {
		return convGeom{}, fmt.Errorf("conv: kernel %d (dilation %d) too large for %dx%d input with padding %d", g.k, d, g.h, g.w, p)
	}
	g.rows, g.cols = g.c*g.k*g.k, g.ho*g.wo
	g.inSize, g.ySize, g.fSize = g.c*g.h*g.w, g.out*g.cols, g.out*g.rows
	g.outShape = tensor.Shape{g.n, g.out, g.ho, g.wo}
	g.inShape, g.wShape = x.Clone(), w.Clone()
	return g, nil
}

// pointwise: a 1×1 convolution with stride 1 and no padding, whose
// unfolded image is the image itself.
func (g convGeom) pointwise() bool { return g.k == 1 && g.s == 1 && g.p == 0 }

// validRange returns the output columns j in [0, wo) whose input column
// j·s − p + off lies inside [0, w).
func (g convGeom) validRange(off int) (lo, hi int) {
	// smallest j with j·s ≥ p − off
	lo = 0
	if need := g.p - off; need > 0 {
		lo = (need + g.s - 1) / g.s
	}
	// largest j with j·s − p + off ≤ w − 1
	last := g.w - 1 + g.p - off
	if last < 0 {
		return 0, 0
	}
	hi = last/g.s + 1
	if hi > g.wo {
		hi = g.wo
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// unfold writes image x (C,H,W) as columns (C·K·K, Ho·Wo) into col, whose
// rows are stride long; the image's block starts at column off. Every
// element of the block is written, so col needs no zeroing beforehand.
func (g convGeom) unfold(x, col []float32, stride, off int) {
	for c := 0; c < g.c; c++ {
		for a := 0; a < g.k; a++ {
			for b := 0; b < g.k; b++ {
				row := col[((c*g.k+a)*g.k+b)*stride+off:][:g.cols]
				lo, hi := g.validRange(b * g.d)
				first := lo*g.s - g.p + b*g.d
				for i := 0; i < g.ho; i++ {
					r := i*g.s - g.p + a*g.d
					dst := row[i*g.wo : (i+1)*g.wo]
					if r < 0 || r >= g.h || lo >= hi {
						clear(dst)
						continue
					}
					clear(dst[:lo])
					clear(dst[hi:])
					src := x[(c*g.h+r)*g.w:][:g.w]
					if g.s == 1 {
						copy(dst[lo:hi], src[first:])
						continue
					}
					for j, sc := lo, first; j < hi; j, sc = j+1, sc+g.s {
						dst[j] = src[sc]
					}
				}
			}
		}
	}
}

// fold adds columns (C·K·K, Ho·Wo) back into image dx (C,H,W): the
// adjoint of unfold, with the same layout arguments.
func (g convGeom) fold(col, dx []float32, stride, off int) {
	for c := 0; c < g.c; c++ {
		for a := 0; a < g.k; a++ {
			for b := 0; b < g.k; b++ {
				row := col[((c*g.k+a)*g.k+b)*stride+off:][:g.cols]
				lo, hi := g.validRange(b * g.d)
				if lo >= hi {
					continue
				}
				first := lo*g.s - g.p + b*g.d
				for i := 0; i < g.ho; i++ {
					r := i*g.s - g.p + a*g.d
					if r < 0 || r >= g.h {
						continue
					}
					dst := dx[(c*g.h+r)*g.w:][:g.w]
					src := row[i*g.wo+lo : i*g.wo+hi]
					if g.s == 1 {
						dst = dst[first : first+len(src)]
						for j, v := range src {
							dst[j] += v
						}
						continue
					}
					for j, sc := 0, first; j < len(src); j, sc = j+1, sc+g.s {
						dst[sc] += src[j]
					}
				}
			}
		}
	}
}

// chunk is how many images share one GEMM: as many as fit a budget of 2M
// floats (8 MB) of unfolded columns, so that deep layers' small feature
// maps (4×4 = 16 columns per image) still make wide, fast GEMMs.
func (g convGeom) chunk() int {
	m := (2 << 20) / (g.rows * g.cols)
	if m < 1 {
		m = 1
	}
	if m > g.n {
		m = g.n
	}
	return m
}

// forChunks calls fn for each group of up to chunk() images, the k images
// from n0 on, with the group's matrices: col (rows × k·cols, unfolded
// input) and tmp (out × k·cols, output or its gradient), over scratch
// memory that the groups share.
func (g convGeom) forChunks(fn func(n0, k int, col, tmp []float32)) {
	m := g.chunk()
	colBuf := getScratch(g.rows * m * g.cols)
	tmpBuf := getScratch(g.out * m * g.cols)
	defer putScratch(colBuf)
	defer putScratch(tmpBuf)
	for n0 := 0; n0 < g.n; n0 += m {
		k := min(m, g.n-n0)
		fn(n0, k, colBuf[:g.rows*k*g.cols], tmpBuf[:g.out*k*g.cols])
	}
}

// unfoldChunk unfolds images [n0, n0+m) of x side by side into col (rows ×
// m·cols), images spread over the cores.
func (g convGeom) unfoldChunk(x, col []float32, n0, m int) {
	ops.ParallelFor(m, g.rows*g.cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g.unfold(x[(n0+i)*g.inSize:(n0+i+1)*g.inSize], col, m*g.cols, i*g.cols)
		}
	})
}

// gather copies images [n0, n0+m) of y (N, O, cols) into t (O × m·cols);
// scatter is its inverse.
func (g convGeom) gather(y, t []float32, n0, m int) {
	ops.ParallelFor(m, g.ySize, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := 0; o < g.out; o++ {
				copy(t[o*m*g.cols+i*g.cols:][:g.cols], y[(n0+i)*g.ySize+o*g.cols:][:g.cols])
			}
		}
	})
}

func (g convGeom) scatter(t, y []float32, n0, m int) {
	ops.ParallelFor(m, g.ySize, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := 0; o < g.out; o++ {
				copy(y[(n0+i)*g.ySize+o*g.cols:][:g.cols], t[o*m*g.cols+i*g.cols:][:g.cols])
			}
		}
	})
}

// forward: y = W ⋆ x.
func (g convGeom) forward(x, w, y []float32) {
	if g.winograd() {
		g.winoForward(x, w, y)
		return
	}
	g.im2colForward(x, w, y)
}

// gradInput: dx = Wᵀ ⋆ dy, into dx that starts at zero.
func (g convGeom) gradInput(w, dy, dx []float32) {
	if g.winograd() {
		g.winoGradInput(w, dy, dx)
		return
	}
	g.im2colGradInput(w, dy, dx)
}

// gradFilter: dW = Σ_images dy · unfold(x)ᵀ, overwriting dw.
func (g convGeom) gradFilter(x, dy, dw []float32) {
	if g.winograd() {
		g.winoGradFilter(x, dy, dw)
		return
	}
	g.im2colGradFilter(x, dy, dw)
}

// im2colForward is forward by unfolding.
func (g convGeom) im2colForward(x, w, y []float32) {
	if g.pointwise() {
		for i := 0; i < g.n; i++ {
			gemm.Sgemm(false, false, g.out, g.cols, g.rows, 1, w, g.rows, x[i*g.inSize:], g.cols, 0, y[i*g.ySize:], g.cols)
		}
		return
	}
	g.forChunks(func(n0, k int, col, tmp []float32) {
		g.unfoldChunk(x, col, n0, k)
		gemm.Sgemm(false, false, g.out, k*g.cols, g.rows, 1, w, g.rows, col, k*g.cols, 0, tmp, k*g.cols)
		g.scatter(tmp, y, n0, k)
	})
}

// im2colGradInput is gradInput by folding.
func (g convGeom) im2colGradInput(w, dy, dx []float32) {
	if g.pointwise() {
		for i := 0; i < g.n; i++ {
			gemm.Sgemm(true, false, g.rows, g.cols, g.out, 1, w, g.rows, dy[i*g.ySize:], g.cols, 0, dx[i*g.inSize:], g.cols)
		}
		return
	}
	g.forChunks(func(n0, k int, col, tmp []float32) {
		g.gather(dy, tmp, n0, k)
		gemm.Sgemm(true, false, g.rows, k*g.cols, g.out, 1, w, g.rows, tmp, k*g.cols, 0, col, k*g.cols)
		ops.ParallelFor(k, g.rows*g.cols, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				g.fold(col, dx[(n0+i)*g.inSize:(n0+i+1)*g.inSize], k*g.cols, i*g.cols)
			}
		})
	})
}

// im2colGradFilter is gradFilter by unfolding.
func (g convGeom) im2colGradFilter(x, dy, dw []float32) {
	if g.pointwise() {
		for i := 0; i < g.n; i++ {
			beta := float32(1)
			if i == 0 {
				beta = 0
			}
			gemm.Sgemm(false, true, g.out, g.rows, g.cols, 1, dy[i*g.ySize:], g.cols, x[i*g.inSize:], g.cols, beta, dw, g.rows)
		}
		return
	}
	first := true
	g.forChunks(func(n0, k int, col, tmp []float32) {
		g.unfoldChunk(x, col, n0, k)
		g.gather(dy, tmp, n0, k)
		beta := float32(1)
		if first {
			beta, first = 0, false
		}
		gemm.Sgemm(false, true, g.out, g.rows, k*g.cols, 1, tmp, k*g.cols, col, k*g.cols, beta, dw, g.rows)
	})
}

func conv2d(x, w *G.Node, stride, pad, dil int) (*G.Node, error) {
	geom, err := newConvGeom(x.Shape(), w.Shape(), stride, pad, dil)
	if err != nil {
		return nil, err
	}
	gemm.Install() // the GEMM path is chosen once, when the first graph is built
	key := fmt.Sprintf("s%d p%d d%d x%v w%v", stride, pad, dil, geom.inShape, geom.wShape)
	fwd := &customop.Op{
		Name: "Conv2d " + key, Diff: []bool{true, true}, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.outShape.Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.forward(in[0], in[1], out)
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, dw, err := convGrads(geom, key, inputs[0], inputs[1], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dw}, nil
	}
	return G.ApplyOp(newReuseOp(fwd, false), x, w)
}

// convGrads adds the gradient ops of a convolution of x by w (geometry
// geom, name key) for the output gradient dy: dx and dW.
func convGrads(geom convGeom, key string, x, w, dy *G.Node) (dx, dw *G.Node, err error) {
	dx, err = G.ApplyOp(newReuseOp(&customop.Op{
		Name: "Conv2dGradInput " + key, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.inShape.Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.gradInput(in[0], in[1], out)
		},
	}, !geom.pointwise()), w, dy)
	if err != nil {
		return nil, nil, err
	}
	dw, err = G.ApplyOp(newReuseOp(&customop.Op{
		Name: "Conv2dGradFilter " + key, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.wShape.Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.gradFilter(in[0], in[1], out)
		},
	}, false), x, dy)
	if err != nil {
		return nil, nil, err
	}
	return dx, dw, nil
}
