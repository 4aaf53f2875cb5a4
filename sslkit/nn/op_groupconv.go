package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// Grouped 2-D convolution (torch's groups > 1): the C input channels and
// the O filters are split into G groups, and group g's O/G filters see
// only its C/G channels. Filters have PyTorch's layout (O, C/G, K, K).
// One op for all groups, one node in the graph: for each chunk of images
// and each group, the group's channels are unfolded side by side (im2col)
// and one GEMM multiplies the group's filters by them — what composing
// the dense op per group would do, without the per-group split and
// concatenation nodes and with scratch memory that stays cache-sized. This covers ResNeXt/RegNet groups and depthwise
// multipliers (G = C, O = k·C); plain depthwise (G = C = O) keeps its own
// direct op, which is faster when each group is a single 1-channel filter.

type groupGeom struct {
	n, c, h, w     int // input
	out, k, groups int
	s, p, d        int // stride, padding, dilation
	cg, og         int // channels and filters per group
	ho, wo         int
	rows, cols     int // one group's unfolded rows (cg·k·k) and ho·wo
	inShape, wShp  tensor.Shape
	outShape       tensor.Shape
}

func newGroupGeom(x, w tensor.Shape, groups, s, p, d int) (groupGeom, error) {
	if len(x) != 4 || len(w) != 4 || w[2] != w[3] || groups < 1 || x[1]%groups != 0 || w[0]%groups != 0 || w[1] != x[1]/groups {
		return groupGeom{}, fmt.Errorf("grouped conv: input %v and filters %v do not fit %d groups (want filters (O, C/groups, K, K) with groups dividing C and O)", x, w, groups)
	}
	g := groupGeom{n: x[0], c: x[1], h: x[2], w: x[3], out: w[0], k: w[2], groups: groups, s: s, p: p, d: d}
	g.cg, g.og = g.c/groups, g.out/groups
	span := d*(g.k-1) + 1
	g.ho = (g.h+2*p-span)/s + 1
	g.wo = (g.w+2*p-span)/s + 1
	if g.h+2*p < span || g.w+2*p < span || g.ho < 1 || g.wo < 1 {
		return groupGeom{}, fmt.Errorf("grouped conv: kernel %d (dilation %d) too large for %dx%d input with padding %d", g.k, d, g.h, g.w, p)
	}
	g.rows, g.cols = g.cg*g.k*g.k, g.ho*g.wo
	g.inShape, g.wShp = x.Clone(), w.Clone()
	g.outShape = tensor.Shape{g.n, g.out, g.ho, g.wo}
	return g, nil
}

// chunk is how many images share one GEMM per group: as many as fit 2M
// floats (8 MB) of one group's unfolded columns, at least one.
func (g groupGeom) chunk() int {
	return min(max((2<<20)/(g.rows*g.cols), 1), g.n)
}

// unfold writes group q's channels of images n0 … n0+m−1 of x as columns
// side by side into col (rows × m·cols): row (c·K + a)·K + b, column
// i·cols + (output position), holds the input under kernel tap (a, b) of
// the group's channel c in image n0+i (zero in the padding).
func (g groupGeom) unfold(x, col []float32, n0, m, q int) {
	kk, inSize, stride := g.k*g.k, g.c*g.h*g.w, m*g.cols
	ops.ParallelFor(m*g.rows, g.cols, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			img, row := t/g.rows, t%g.rows
			c, a, b := q*g.cg+row/kk, row%kk/g.k, row%g.k
			dst := col[row*stride+img*g.cols:][:g.cols]
			src := x[(n0+img)*inSize+c*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.ho; i++ {
				r := i*g.s - g.p + a*g.d
				line := dst[i*g.wo : (i+1)*g.wo]
				if r < 0 || r >= g.h {
					clear(line)
					continue
				}
				for j := range line {
					if cc := j*g.s - g.p + b*g.d; cc >= 0 && cc < g.w {
						line[j] = src[r*g.w+cc]
					} else {
						line[j] = 0
					}
				}
			}
		}
	})
}

// fold adds col back into group q's channels of images n0 … of dx (the
// adjoint of unfold); each (image, channel) plane is one worker's.
func (g groupGeom) fold(col, dx []float32, n0, m, q int) {
	kk, inSize, stride := g.k*g.k, g.c*g.h*g.w, m*g.cols
	ops.ParallelFor(m*g.cg, kk*g.cols, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			img, cl := t/g.cg, t%g.cg
			dst := dx[(n0+img)*inSize+(q*g.cg+cl)*g.h*g.w:][:g.h*g.w]
			for tap := 0; tap < kk; tap++ {
				a, b := tap/g.k, tap%g.k
				src := col[(cl*kk+tap)*stride+img*g.cols:][:g.cols]
				for i := 0; i < g.ho; i++ {
					r := i*g.s - g.p + a*g.d
					if r < 0 || r >= g.h {
						continue
					}
					for j := 0; j < g.wo; j++ {
						if cc := j*g.s - g.p + b*g.d; cc >= 0 && cc < g.w {
							dst[r*g.w+cc] += src[i*g.wo+j]
						}
					}
				}
			}
		}
	})
}

// scatter copies t (og × m·cols), group q's GEMM result, into its output
// channels of images n0 …; gather is its inverse.
func (g groupGeom) scatter(t, y []float32, n0, m, q int) {
	ySize := g.out * g.cols
	ops.ParallelFor(m, g.og*g.cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := 0; o < g.og; o++ {
				copy(y[(n0+i)*ySize+(q*g.og+o)*g.cols:][:g.cols], t[o*m*g.cols+i*g.cols:][:g.cols])
			}
		}
	})
}

func (g groupGeom) gather(y, t []float32, n0, m, q int) {
	ySize := g.out * g.cols
	ops.ParallelFor(m, g.og*g.cols, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for o := 0; o < g.og; o++ {
				copy(t[o*m*g.cols+i*g.cols:][:g.cols], y[(n0+i)*ySize+(q*g.og+o)*g.cols:][:g.cols])
			}
		}
	})
}

// forGroups calls fn for every chunk of images and every group, with
// scratch for that group's columns (rows × m·cols) and GEMM result
// (og × m·cols), reused throughout.
func (g groupGeom) forGroups(fn func(n0, m, q int, col, tmp []float32)) {
	c := g.chunk()
	col := make([]float32, g.rows*c*g.cols)
	tmp := make([]float32, g.og*c*g.cols)
	for n0 := 0; n0 < g.n; n0 += c {
		m := min(c, g.n-n0)
		for q := 0; q < g.groups; q++ {
			fn(n0, m, q, col[:g.rows*m*g.cols], tmp[:g.og*m*g.cols])
		}
	}
}

// forward: y_q = W_q · col_q per group, with W_q the og×rows block of
// filters.
func (g groupGeom) forward(x, w, y []float32) {
	g.forGroups(func(n0, m, q int, col, tmp []float32) {
		g.unfold(x, col, n0, m, q)
		st := m * g.cols
		gemm.Sgemm(false, false, g.og, st, g.rows, 1, w[q*g.og*g.rows:], g.rows, col, st, 0, tmp, st)
		g.scatter(tmp, y, n0, m, q)
	})
}

// gradInput: col_q = W_qᵀ · dy_q, folded into dx (which starts at zero).
func (g groupGeom) gradInput(w, dy, dx []float32) {
	g.forGroups(func(n0, m, q int, col, tmp []float32) {
		g.gather(dy, tmp, n0, m, q)
		st := m * g.cols
		gemm.Sgemm(true, false, g.rows, st, g.og, 1, w[q*g.og*g.rows:], g.rows, tmp, st, 0, col, st)
		g.fold(col, dx, n0, m, q)
	})
}

// gradFilter: dW_q = Σ_chunks dy_q · col_qᵀ, overwriting dw.
func (g groupGeom) gradFilter(x, dy, dw []float32) {
	g.forGroups(func(n0, m, q int, col, tmp []float32) {
		g.unfold(x, col, n0, m, q)
		g.gather(dy, tmp, n0, m, q)
		st := m * g.cols
		beta := float32(1)
		if n0 == 0 {
			beta = 0
		}
		gemm.Sgemm(false, true, g.og, g.rows, st, 1, tmp, st, col, st, beta, dw[q*g.og*g.rows:], g.rows)
	})
}

// groupConv is the grouped convolution of x (N, C, H, W) with filters w
// (O, C/groups, K, K).
func groupConv(x, w *G.Node, groups, stride, pad, dil int) (*G.Node, error) {
	geom, err := newGroupGeom(x.Shape(), w.Shape(), groups, stride, pad, dil)
	if err != nil {
		return nil, err
	}
	gemm.Install()
	key := fmt.Sprintf("g%d s%d p%d d%d x%v w%v", groups, stride, pad, dil, geom.inShape, geom.wShp)
	fwd := &customop.Op{
		Name: "GroupConv2d " + key, Diff: []bool{true, true}, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
		Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.outShape.Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.forward(in[0], in[1], out)
		},
	}
	fwd.Grad = func(inputs G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(&customop.Op{
			Name: "GroupConv2dGradInput " + key, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.inShape.Clone(), nil },
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				geom.gradInput(in[0], in[1], out)
			},
		}, inputs[1], dy)
		if err != nil {
			return nil, err
		}
		dw, err := G.ApplyOp(&customop.Op{
			Name: "GroupConv2dGradFilter " + key, In: customop.Float32(4, 4), Out: customop.Float32Arg(4),
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return geom.wShp.Clone(), nil },
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				geom.gradFilter(in[0], in[1], out)
			},
		}, inputs[0], dy)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dw}, nil
	}
	return G.ApplyOp(fwd, x, w)
}
