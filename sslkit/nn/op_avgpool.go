package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Average pooling over K×K windows of (N,C,H,W), zero padding counted in
// the divisor (PyTorch's count_include_pad=True). gorgonia's AveragePool2D
// has a wrong gradient, hence this op.

type poolGeom struct{ nc, h, w, k, s, p, ho, wo int }

func newPoolGeom(x tensor.Shape, k, s, p int) (poolGeom, error) {
	if len(x) != 4 {
		return poolGeom{}, fmt.Errorf("avg pool: input %v is not (N,C,H,W)", x)
	}
	if p*2 > k {
		return poolGeom{}, fmt.Errorf("avg pool: padding %d must be at most half the kernel %d", p, k)
	}
	g := poolGeom{nc: x[0] * x[1], h: x[2], w: x[3], k: k, s: s, p: p}
	g.ho = (g.h+2*p-k)/s + 1
	g.wo = (g.w+2*p-k)/s + 1
	if g.ho < 1 || g.wo < 1 {
		return poolGeom{}, fmt.Errorf("avg pool: kernel %d too large for %dx%d input", k, g.h, g.w)
	}
	return g, nil
}

func (g poolGeom) visit(fn func(xi, yi int)) {
	for m := 0; m < g.nc; m++ {
		for i := 0; i < g.ho; i++ {
			for j := 0; j < g.wo; j++ {
				yi := (m*g.ho+i)*g.wo + j
				for a := 0; a < g.k; a++ {
					r := i*g.s - g.p + a
					if r < 0 || r >= g.h {
						continue
					}
					for b := 0; b < g.k; b++ {
						c := j*g.s - g.p + b
						if c >= 0 && c < g.w {
							fn((m*g.h+r)*g.w+c, yi)
						}
					}
				}
			}
		}
	}
}

func avgPool(x *G.Node, k, s, p int) (*G.Node, error) {
	xs := x.Shape().Clone()
	geom, err := newPoolGeom(xs, k, s, p)
	if err != nil {
		return nil, err
	}
	inv := 1 / float32(k*k)
	key := fmt.Sprintf("k%d s%d p%d x%v", k, s, p, xs)
	fwd := &kernelOp{
		name: "AvgPool2d " + key, arity: 1, diff: []bool{true},
		shape: func(in []tensor.Shape) (tensor.Shape, error) {
			g, err := newPoolGeom(in[0], k, s, p)
			return tensor.Shape{in[0][0], in[0][1], g.ho, g.wo}, err
		},
		do: func(out []float32, in [][]float32, _ []tensor.Shape) {
			geom.visit(func(xi, yi int) { out[yi] += in[0][xi] * inv })
		},
	}
	fwd.grad = func(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dx, err := G.ApplyOp(&kernelOp{
			name: "AvgPool2dGrad " + key, arity: 1,
			shape: func([]tensor.Shape) (tensor.Shape, error) { return xs.Clone(), nil },
			do: func(out []float32, in [][]float32, _ []tensor.Shape) {
				geom.visit(func(xi, yi int) { out[xi] += in[0][yi] * inv })
			},
		}, grad)
		return G.Nodes{dx}, err
	}
	return G.ApplyOp(fwd, x)
}
