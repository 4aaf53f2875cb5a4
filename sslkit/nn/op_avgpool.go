package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// Average pooling over K×K windows of (N,C,H,W) with PyTorch's
// ceil_mode and count_include_pad semantics. gorgonia's AveragePool2D has
// a wrong gradient and neither option, hence this op.

type poolGeom struct {
	nc, h, w, k, s, p, ho, wo int
	includePad                bool
}

// poolOut is PyTorch's pooling output size along one axis: floor or ceil
// of (n + 2p − k)/s, plus one, dropping a ceil-mode window that would
// start beyond the input and its left padding.
func poolOut(n, k, s, p int, ceil bool) int {
	span := n + 2*p - k
	if span < 0 {
		return 0
	}
	out := span/s + 1
	if ceil && span%s != 0 {
		out++
		if (out-1)*s >= n+p {
			out--
		}
	}
	return out
}

func newPoolGeom(x tensor.Shape, k int, opt AvgPoolOptions) (poolGeom, error) {
	if len(x) != 4 {
		return poolGeom{}, fmt.Errorf("avg pool: input %v is not (N,C,H,W)", x)
	}
	s, p := opt.Stride, opt.Padding
	if p*2 > k {
		return poolGeom{}, fmt.Errorf("avg pool: padding %d must be at most half the kernel %d", p, k)
	}
	g := poolGeom{nc: x[0] * x[1], h: x[2], w: x[3], k: k, s: s, p: p, includePad: opt.CountIncludePad}
	g.ho = poolOut(g.h, k, s, p, opt.CeilMode)
	g.wo = poolOut(g.w, k, s, p, opt.CeilMode)
	if g.ho < 1 || g.wo < 1 {
		return poolGeom{}, fmt.Errorf("avg pool: kernel %d too large for %dx%d input", k, g.h, g.w)
	}
	return g, nil
}

// window is the clipped extent [lo, hi) of output position i along an
// axis of n inputs, and the divisor's share along that axis.
func (g poolGeom) window(i, n int) (lo, hi, count int) {
	start := i*g.s - g.p
	end := start + g.k
	if end > n+g.p { // a ceil-mode window stops at the padding
		end = n + g.p
	}
	count = end - start
	lo, hi = max(start, 0), min(end, n)
	if !g.includePad {
		count = hi - lo
	}
	return lo, hi, count
}

// visit calls fn(input index, output index, 1/divisor) for every input
// element of every window.
func (g poolGeom) visit(fn func(xi, yi int, inv float32)) {
	for m := 0; m < g.nc; m++ {
		for i := 0; i < g.ho; i++ {
			r0, r1, rc := g.window(i, g.h)
			for j := 0; j < g.wo; j++ {
				c0, c1, cc := g.window(j, g.w)
				if rc*cc == 0 {
					continue
				}
				inv := 1 / float32(rc*cc)
				yi := (m*g.ho+i)*g.wo + j
				for r := r0; r < r1; r++ {
					for c := c0; c < c1; c++ {
						fn((m*g.h+r)*g.w+c, yi, inv)
					}
				}
			}
		}
	}
}

func avgPool(x *G.Node, k int, opt AvgPoolOptions) (*G.Node, error) {
	xs := x.Shape().Clone()
	geom, err := newPoolGeom(xs, k, opt)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("k%d s%d p%d ceil=%t incl=%t x%v", k, opt.Stride, opt.Padding, opt.CeilMode, opt.CountIncludePad, xs)
	fwd := &customop.Op{
		Name: "AvgPool2d " + key, NumIn: 1, Diff: []bool{true},
		Shape: func(in []tensor.Shape) (tensor.Shape, error) {
			g, err := newPoolGeom(in[0], k, opt)
			return tensor.Shape{in[0][0], in[0][1], g.ho, g.wo}, err
		},
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.visit(func(xi, yi int, inv float32) { out[yi] += in[0][xi] * inv })
		},
	}
	fwd.Grad = func(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(&customop.Op{
			Name: "AvgPool2dGrad " + key, NumIn: 1,
			Shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil },
			Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
				geom.visit(func(xi, yi int, inv float32) { out[xi] += in[0][yi] * inv })
			},
		}, grad)
		return G.Nodes{dx}, err
	}
	return G.ApplyOp(fwd, x)
}
