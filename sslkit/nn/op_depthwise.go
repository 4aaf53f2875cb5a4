package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Depthwise convolution: each channel of x (N,C,H,W) is convolved with its
// own K×K filter w (C,1,K,K). gorgonia's Conv2d has no groups.

type dwGeom struct{ n, c, h, w, k, s, p, ho, wo int }

func newDWGeom(x, w tensor.Shape, s, p int) (dwGeom, error) {
	if len(x) != 4 || len(w) != 4 || w[0] != x[1] || w[1] != 1 || w[2] != w[3] {
		return dwGeom{}, fmt.Errorf("depthwise conv: input %v and filter %v do not fit (want filter (C,1,K,K))", x, w)
	}
	g := dwGeom{n: x[0], c: x[1], h: x[2], w: x[3], k: w[2], s: s, p: p}
	g.ho = (g.h+2*p-g.k)/s + 1
	g.wo = (g.w+2*p-g.k)/s + 1
	if g.ho < 1 || g.wo < 1 {
		return dwGeom{}, fmt.Errorf("depthwise conv: kernel %d too large for %dx%d input with padding %d", g.k, g.h, g.w, p)
	}
	return g, nil
}

// visit calls fn(xIndex, wIndex, yIndex) for every multiply-add of the
// convolution; forward and both backward passes share it.
func (g dwGeom) visit(fn func(xi, wi, yi int)) {
	for n := 0; n < g.n; n++ {
		for c := 0; c < g.c; c++ {
			xBase := (n*g.c + c) * g.h * g.w
			yBase := (n*g.c + c) * g.ho * g.wo
			wBase := c * g.k * g.k
			for i := 0; i < g.ho; i++ {
				for a := 0; a < g.k; a++ {
					r := i*g.s - g.p + a
					if r < 0 || r >= g.h {
						continue
					}
					for j := 0; j < g.wo; j++ {
						for b := 0; b < g.k; b++ {
							col := j*g.s - g.p + b
							if col < 0 || col >= g.w {
								continue
							}
							fn(xBase+r*g.w+col, wBase+a*g.k+b, yBase+i*g.wo+j)
						}
					}
				}
			}
		}
	}
}

func depthwiseConv(x, w *G.Node, stride, pad int) (*G.Node, error) {
	xs, ws := x.Shape().Clone(), w.Shape().Clone()
	if _, err := newDWGeom(xs, ws, stride, pad); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("s%d p%d x%v w%v", stride, pad, xs, ws)
	fwd := &kernelOp{
		name:  "DepthwiseConv2d " + key,
		arity: 2,
		diff:  []bool{true, true},
		shape: func(in []tensor.Shape) (tensor.Shape, error) {
			g, err := newDWGeom(in[0], in[1], stride, pad)
			return tensor.Shape{g.n, g.c, g.ho, g.wo}, err
		},
		do: func(out []float32, in [][]float32, _ []tensor.Shape) {
			g, _ := newDWGeom(xs, ws, stride, pad)
			xd, wd := in[0], in[1]
			g.visit(func(xi, wi, yi int) { out[yi] += xd[xi] * wd[wi] })
		},
	}
	fwd.grad = func(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(&kernelOp{
			name: "DepthwiseConv2dGradInput " + key, arity: 2,
			shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil },
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				g, _ := newDWGeom(xs, ws, stride, pad)
				wd, gy := in[0], in[1]
				g.visit(func(xi, wi, yi int) { out[xi] += gy[yi] * wd[wi] })
			},
		}, inputs[1], grad)
		if err != nil {
			return nil, err
		}
		dw, err := G.ApplyOp(&kernelOp{
			name: "DepthwiseConv2dGradFilter " + key, arity: 2,
			shape: func([]tensor.Shape) (tensor.Shape, error) { return ws.Clone(), nil },
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				g, _ := newDWGeom(xs, ws, stride, pad)
				xd, gy := in[0], in[1]
				g.visit(func(xi, wi, yi int) { out[wi] += gy[yi] * xd[xi] })
			},
		}, inputs[0], grad)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx, dw}, nil
	}
	return G.ApplyOp(fwd, x, w)
}
