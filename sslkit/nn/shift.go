package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// roll cyclically shifts a row-major h×w grid of tokens (B, h·w, C) by s
// on both axes, like torch.roll(x, (s, s), dims=(1, 2)) on (B, h, w, C).
// Its gradient is the roll by −s.
func roll(x *G.Node, h, w, s int) (*G.Node, error) {
	xs := x.Shape().Clone()
	if len(xs) != 3 || xs[1] != h*w {
		return nil, fmt.Errorf("roll: tokens %v do not form a %d×%d grid", xs, h, w)
	}
	mod := func(a, n int) int { return ((a % n) + n) % n }
	op := &customop.Op{
		Name: fmt.Sprintf("Roll %d %dx%d x%v", s, h, w, xs), NumIn: 1, Diff: []bool{true},
		Shape: func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil },
		Kernel: func(out []float32, in [][]float32, _ []tensor.Shape) {
			c := xs[2]
			for b := 0; b < xs[0]; b++ {
				for i := 0; i < h; i++ {
					for j := 0; j < w; j++ {
						src := ((b*h+i)*w + j) * c
						dst := ((b*h+mod(i+s, h))*w + mod(j+s, w)) * c
						copy(out[dst:dst+c], in[0][src:src+c])
					}
				}
			}
		},
	}
	op.Grad = func(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		g, err := roll(grad, h, w, -s)
		return G.Nodes{g}, err
	}
	return G.ApplyOp(op, x)
}

// shiftMask is Swin's attention mask for a grid rolled by −s: tokens
// carry the label of the region they came from (three bands per axis),
// and pairs with different labels inside a window get −100. The result is
// laid out as the attention logits: (B·windows·heads, win², win²).
func shiftMask(batch, h, w, win, s, heads int) *G.Node {
	band := func(i, n int) int {
		switch {
		case i < n-win:
			return 0
		case i < n-s:
			return 1
		}
		return 2
	}
	nwh, nww, t := h/win, w/win, win*win
	perWindow := make([][]float32, nwh*nww)
	for wi := 0; wi < nwh; wi++ {
		for wj := 0; wj < nww; wj++ {
			labels := make([]int, t)
			for a := 0; a < win; a++ {
				for b := 0; b < win; b++ {
					labels[a*win+b] = band(wi*win+a, h)*3 + band(wj*win+b, w)
				}
			}
			m := make([]float32, t*t)
			for p := 0; p < t; p++ {
				for q := 0; q < t; q++ {
					if labels[p] != labels[q] {
						m[p*t+q] = -100
					}
				}
			}
			perWindow[wi*nww+wj] = m
		}
	}
	data := make([]float32, 0, batch*len(perWindow)*heads*t*t)
	for b := 0; b < batch; b++ {
		for _, m := range perWindow {
			for k := 0; k < heads; k++ {
				data = append(data, m...)
			}
		}
	}
	n := batch * len(perWindow) * heads
	return G.NewConstant(tensor.New(tensor.WithShape(n, t, t), tensor.WithBacking(data)),
		G.WithName(fmt.Sprintf("shift_mask_%dx%d_w%d_s%d_b%d_h%d", h, w, win, s, batch, heads)))
}
