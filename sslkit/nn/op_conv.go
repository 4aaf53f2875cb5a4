package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense 2-D convolution as one op that works on a few images at a time:
// unfold them (im2col) side by side, multiply by the filters with one GEMM,
// copy the result into the (N, C, H, W) output, move on. gorgonia's Conv2d
// unfolds the whole batch at once (nine times the input for 3×3 kernels),
// keeps it for the backward pass and transposes the result; at batch 128
// that held ResNet-18's step at about 7 GB. The backward ops unfold again
// instead of keeping the columns.

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

// unfold writes image x (C,H,W) as columns (C·K·K, Ho·Wo) into col, whose
// rows are stride long; the image's block starts at column off.
func (g convGeom) unfold(x, col []float32, stride, off int) {
	for c := 0; c < g.c; c++ {
		for a := 0; a < g.k; a++ {
			for b := 0; b < g.k; b++ {
				row := col[((c*g.k+a)*g.k+b)*stride+off:][:g.cols]
				for i := 0; i < g.ho; i++ {
					r := i*g.s - g.p + a*g.d
					dst := row[i*g.wo : (i+1)*g.wo]
					if r < 0 || r >= g.h {
						for j := range dst {
							dst[j] = 0
						}
						continue
					}
					src := x[(c*g.h+r)*g.w:][:g.w]
					for j := range dst {
						col := j*g.s - g.p + b*g.d
						if col >= 0 && col < g.w {
							dst[j] = src[col]
						} else {
							dst[j] = 0
						}
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
				for i := 0; i < g.ho; i++ {
					r := i*g.s - g.p + a*g.d
					if r < 0 || r >= g.h {
						continue
					}
					dst := dx[(c*g.h+r)*g.w:][:g.w]
					for j, v := range row[i*g.wo : (i+1)*g.wo] {
						if col := j*g.s - g.p + b*g.d; col >= 0 && col < g.w {
							dst[col] += v
						}
					}
				}
			}
		}
	}
}

func general(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// chunk is how many images share one GEMM. Small feature maps (deep
// layers: 4×4 = 16 columns per image) make thin matrices on which the
// GEMM is slow, so images are batched up to about 256 columns, within a
// budget of 4M floats for the unfolded block.
func (g convGeom) chunk() int {
	m := (256 + g.cols - 1) / g.cols
	if lim := (4 << 20) / (g.rows * g.cols); m > lim {
		m = lim
	}
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
func (g convGeom) forChunks(fn func(n0, k int, col, tmp blas32.General)) {
	m := g.chunk()
	colBuf := make([]float32, g.rows*m*g.cols)
	tmpBuf := make([]float32, g.out*m*g.cols)
	for n0 := 0; n0 < g.n; n0 += m {
		k := min(m, g.n-n0)
		fn(n0, k, general(g.rows, k*g.cols, colBuf[:g.rows*k*g.cols]), general(g.out, k*g.cols, tmpBuf[:g.out*k*g.cols]))
	}
}

// unfoldChunk unfolds images [n0, n0+m) of x side by side into col (rows × m·cols).
func (g convGeom) unfoldChunk(x, col []float32, n0, m int) {
	for i := 0; i < m; i++ {
		g.unfold(x[(n0+i)*g.inSize:(n0+i+1)*g.inSize], col, m*g.cols, i*g.cols)
	}
}

// gather copies images [n0, n0+m) of y (N, O, cols) into t (O × m·cols);
// scatter is its inverse.
func (g convGeom) gather(y, t []float32, n0, m int) {
	for i := 0; i < m; i++ {
		for o := 0; o < g.out; o++ {
			copy(t[o*m*g.cols+i*g.cols:][:g.cols], y[(n0+i)*g.ySize+o*g.cols:][:g.cols])
		}
	}
}

func (g convGeom) scatter(t, y []float32, n0, m int) {
	for i := 0; i < m; i++ {
		for o := 0; o < g.out; o++ {
			copy(y[(n0+i)*g.ySize+o*g.cols:][:g.cols], t[o*m*g.cols+i*g.cols:][:g.cols])
		}
	}
}

func conv2d(x, w *G.Node, stride, pad, dil int) (*G.Node, error) {
	geom, err := newConvGeom(x.Shape(), w.Shape(), stride, pad, dil)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("s%d p%d d%d x%v w%v", stride, pad, dil, geom.inShape, geom.wShape)
	fwd := &kernelOp{
		name: "Conv2d " + key, arity: 2, diff: []bool{true, true}, dims: []int{4, 4, 4},
		shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.outShape.Clone(), nil },
		do: func(out []float32, in [][]float32, _ []tensor.Shape) {
			wm := general(geom.out, geom.rows, in[1])
			geom.forChunks(func(n0, k int, col, tmp blas32.General) {
				geom.unfoldChunk(in[0], col.Data, n0, k)
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, wm, col, 0, tmp)
				geom.scatter(tmp.Data, out, n0, k)
			})
		},
	}
	fwd.grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(&kernelOp{
			name: "Conv2dGradInput " + key, arity: 2, dims: []int{4, 4, 4},
			shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.inShape.Clone(), nil },
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				wm := general(geom.out, geom.rows, in[0])
				geom.forChunks(func(n0, k int, col, tmp blas32.General) {
					geom.gather(in[1], tmp.Data, n0, k)
					blas32.Gemm(blas.Trans, blas.NoTrans, 1, wm, tmp, 0, col)
					for i := 0; i < k; i++ {
						geom.fold(col.Data, out[(n0+i)*geom.inSize:(n0+i+1)*geom.inSize], k*geom.cols, i*geom.cols)
					}
				})
			},
		}, inputs[1], dy)
		if err != nil {
			return nil, err
		}
		dw, err := G.ApplyOp(&kernelOp{
			name: "Conv2dGradFilter " + key, arity: 2, dims: []int{4, 4, 4},
			shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.wShape.Clone(), nil },
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				dwm := general(geom.out, geom.rows, out)
				geom.forChunks(func(n0, k int, col, tmp blas32.General) {
					geom.unfoldChunk(in[0], col.Data, n0, k)
					geom.gather(in[1], tmp.Data, n0, k)
					blas32.Gemm(blas.NoTrans, blas.Trans, 1, tmp, col, 1, dwm)
				})
			},
		}, inputs[0], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dw}, nil
	}
	return G.ApplyOp(fwd, x, w)
}
