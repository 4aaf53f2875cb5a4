package nn

import (
	"math"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Attention is multi-head scaled dot-product self-attention over tokens
// (B, T, Dim): softmax(QKᵀ/√d)V per head, then an output projection.
// Q, K and V have separate Linear layers (names "q", "k", "v", "proj").
type Attention struct {
	Dim, Heads    int
	Q, K, V, Proj *Linear
}

// NewAttention makes Attention; dim must be divisible by heads.
func NewAttention(name string, dim, heads int, rng *rand.Rand) (*Attention, error) {
	if heads < 1 || dim < 1 || dim%heads != 0 {
		return nil, errf("Attention %q: dim %d must be a positive multiple of heads %d", name, dim, heads)
	}
	rng = rngOrDefault(rng)
	a := &Attention{Dim: dim, Heads: heads}
	var err error
	for _, p := range []struct {
		dst **Linear
		n   string
	}{{&a.Q, "q"}, {&a.K, "k"}, {&a.V, "v"}, {&a.Proj, "proj"}} {
		if *p.dst, err = NewLinear(join(name, p.n), dim, dim, true, rng); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *Attention) Children() []Module { return []Module{a.Q, a.K, a.V, a.Proj} }
func (a *Attention) Params() []*Param   { return collect(a.Children()...) }

func (a *Attention) Forward(x *G.Node) (*G.Node, error) { return a.ForwardMasked(x, nil) }

// ForwardMasked adds bias (shape (B·Heads, T, T), example-major, or nil)
// to the attention logits before the softmax: −100 entries shut pairs of
// tokens off, as Swin's shifted-window mask does.
func (a *Attention) ForwardMasked(x, bias *G.Node) (*G.Node, error) {
	if err := checkDims("Attention "+a.Q.Weight.Name, x, 3); err != nil {
		return nil, err
	}
	b, t, d := x.Shape()[0], x.Shape()[1], a.Dim/a.Heads
	heads := func(l *Linear) (*G.Node, error) { // (B,T,C) → (B·H, T, d)
		y, err := l.Forward(x)
		if err != nil {
			return nil, err
		}
		if y, err = G.Reshape(y, tensor.Shape{b, t, a.Heads, d}); err != nil {
			return nil, err
		}
		if y, err = G.Transpose(y, 0, 2, 1, 3); err != nil {
			return nil, err
		}
		return G.Reshape(y, tensor.Shape{b * a.Heads, t, d})
	}
	q, err := heads(a.Q)
	if err != nil {
		return nil, err
	}
	k, err := heads(a.K)
	if err != nil {
		return nil, err
	}
	v, err := heads(a.V)
	if err != nil {
		return nil, err
	}
	scores, err := G.BatchedMatMul(q, k, false, true)
	if err != nil {
		return nil, err
	}
	if scores, err = G.HadamardProd(scores, G.NewConstant(float32(1/math.Sqrt(float64(d))))); err != nil {
		return nil, err
	}
	if bias != nil {
		if !bias.Shape().Eq(scores.Shape()) {
			return nil, errf("Attention %s: mask shape %v, logits %v", a.Q.Weight.Name, bias.Shape(), scores.Shape())
		}
		if scores, err = G.Add(scores, bias); err != nil {
			return nil, err
		}
	}
	attn, err := ops.Softmax(scores, -1)
	if err != nil {
		return nil, err
	}
	out, err := G.BatchedMatMul(attn, v)
	if err != nil {
		return nil, err
	}
	if out, err = G.Reshape(out, tensor.Shape{b, a.Heads, t, d}); err != nil {
		return nil, err
	}
	if out, err = G.Transpose(out, 0, 2, 1, 3); err != nil {
		return nil, err
	}
	if out, err = G.Reshape(out, tensor.Shape{b, t, a.Dim}); err != nil {
		return nil, err
	}
	return a.Proj.Forward(out)
}

// TransformerBlock is a pre-norm transformer layer on a Height×Width grid
// of tokens (B, Height·Width, Dim):
//
//	x += Attention(LN(x)) within non-overlapping Window×Window windows
//	x += MLP(LN(x))       (Dim → MLPRatio·Dim → Dim, GELU)
//
// Window = 0, or a window covering the grid, gives global attention.
// With Shift > 0 the grid is first rolled by −Shift on both axes and the
// attention is masked so that only tokens that were neighbours before the
// roll attend to each other (Swin's shifted windows, which let windows
// exchange information); Swin alternates Shift = 0 and Window/2. Relative
// position bias is not implemented.
type TransformerBlock struct {
	Height, Width, Window int
	// Shift (0 ≤ Shift < Window) takes effect in the graphs built after it is set.
	Shift int
	Norm1 *LayerNorm
	Attn  *Attention
	Norm2 *LayerNorm
	MLP   *Sequential
}

// NewTransformerBlock makes a block for a height×width token grid.
func NewTransformerBlock(name string, dim, heads, height, width, window int, mlpRatio float64, rng *rand.Rand) (*TransformerBlock, error) {
	if window <= 0 || window > height || window > width {
		window = 0
	}
	if window > 0 && (height%window != 0 || width%window != 0) {
		return nil, errf("TransformerBlock %q: window %d does not tile a %d×%d grid", name, window, height, width)
	}
	hidden := int(math.Round(mlpRatio * float64(dim)))
	if hidden < 1 {
		return nil, errf("TransformerBlock %q: mlp ratio %g too small", name, mlpRatio)
	}
	rng = rngOrDefault(rng)
	blk := &TransformerBlock{Height: height, Width: width, Window: window}
	var err error
	if blk.Norm1, err = NewLayerNorm(join(name, "norm1"), dim, DefaultLayerNormOptions()); err != nil {
		return nil, err
	}
	if blk.Attn, err = NewAttention(join(name, "attn"), dim, heads, rng); err != nil {
		return nil, err
	}
	blk.Norm2, _ = NewLayerNorm(join(name, "norm2"), dim, DefaultLayerNormOptions())
	fc1, err := NewLinear(join(name, "mlp.fc1"), dim, hidden, true, rng)
	if err != nil {
		return nil, err
	}
	fc2, _ := NewLinear(join(name, "mlp.fc2"), hidden, dim, true, rng)
	blk.MLP = NewSequential(fc1, GELU{}, fc2)
	return blk, nil
}

func (t *TransformerBlock) Children() []Module { return []Module{t.Norm1, t.Attn, t.Norm2, t.MLP} }
func (t *TransformerBlock) Params() []*Param   { return collect(t.Children()...) }

func (t *TransformerBlock) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("TransformerBlock", x, 3); err != nil {
		return nil, err
	}
	if x.Shape()[1] != t.Height*t.Width {
		return nil, errf("TransformerBlock: %d tokens, want %d×%d", x.Shape()[1], t.Height, t.Width)
	}
	h, err := t.Norm1.Forward(x)
	if err != nil {
		return nil, err
	}
	shift := t.Shift
	if t.Window == 0 {
		shift = 0
	}
	if shift < 0 || (t.Window > 0 && shift >= t.Window) {
		return nil, errf("TransformerBlock: shift %d must be in [0, window %d)", shift, t.Window)
	}
	var mask *G.Node
	if shift > 0 {
		if h, err = roll(h, t.Height, t.Width, -shift); err != nil {
			return nil, err
		}
		mask = shiftMask(x.Shape()[0], t.Height, t.Width, t.Window, shift, t.Attn.Heads)
	}
	if t.Window > 0 {
		if h, err = windows(h, t.Height, t.Width, t.Window); err != nil {
			return nil, err
		}
	}
	if h, err = t.Attn.ForwardMasked(h, mask); err != nil {
		return nil, err
	}
	if t.Window > 0 {
		if h, err = unwindows(h, x.Shape()[0], t.Height, t.Width, t.Window); err != nil {
			return nil, err
		}
	}
	if shift > 0 {
		if h, err = roll(h, t.Height, t.Width, shift); err != nil {
			return nil, err
		}
	}
	if x, err = G.Add(x, h); err != nil {
		return nil, err
	}
	m, err := NewSequential(t.Norm2, t.MLP).Forward(x)
	if err != nil {
		return nil, err
	}
	return G.Add(x, m)
}

// windows regroups (B, H·W, C) row-major tokens into (B·nW, w·w, C), one
// row per w×w window.
func windows(x *G.Node, h, w, win int) (*G.Node, error) {
	b, c := x.Shape()[0], x.Shape()[2]
	y, err := G.Reshape(x, tensor.Shape{b * h / win, win, w / win, win * c})
	if err != nil {
		return nil, err
	}
	// (B·H/w, w, W/w, w·C) → (B·H/w, W/w, w, w·C): gather each window's rows.
	if y, err = G.Transpose(y, 0, 2, 1, 3); err != nil {
		return nil, err
	}
	return G.Reshape(y, tensor.Shape{b * (h / win) * (w / win), win * win, c})
}

// unwindows inverts windows.
func unwindows(x *G.Node, b, h, w, win int) (*G.Node, error) {
	c := x.Shape()[2]
	y, err := G.Reshape(x, tensor.Shape{b * h / win, w / win, win, win * c})
	if err != nil {
		return nil, err
	}
	if y, err = G.Transpose(y, 0, 2, 1, 3); err != nil {
		return nil, err
	}
	return G.Reshape(y, tensor.Shape{b, h * w, c})
}
