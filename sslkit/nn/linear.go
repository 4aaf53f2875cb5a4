package nn

import (
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is y = x·Wᵀ + b for x of shape (N, In), or (…, In) with any
// leading axes, like PyTorch's. Weight has PyTorch's layout (Out, In).
type Linear struct {
	In, Out int
	Weight  *Param
	Bias    *Param // nil without bias
}

// NewLinear makes a Linear layer initialised like PyTorch's
// (U(±1/√In) for weight and bias). rng may be nil for a fixed seed.
func NewLinear(name string, in, out int, bias bool, rng *rand.Rand) (*Linear, error) {
	if in < 1 || out < 1 {
		return nil, errf("Linear %q: sizes must be ≥ 1, got in=%d out=%d", name, in, out)
	}
	rng = rngOrDefault(rng)
	bound := 1 / math.Sqrt(float64(in))
	l := &Linear{In: in, Out: out, Weight: NewParam(join(name, "weight"), uniform(rng, bound, out, in))}
	if bias {
		l.Bias = NewParam(join(name, "bias"), uniform(rng, bound, out))
	}
	return l, nil
}

func (l *Linear) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

func (l *Linear) Forward(x *G.Node) (*G.Node, error) {
	if err := checkDims("Linear "+l.Weight.Name, x, 2, 3, 4); err != nil {
		return nil, err
	}
	s := x.Shape().Clone()
	if s[len(s)-1] != l.In {
		return nil, errf("Linear %s: input has %d features, want %d", l.Weight.Name, s[len(s)-1], l.In)
	}
	if len(s) > 2 { // fold leading axes into one batch axis and back
		flat, err := G.Reshape(x, tensor.Shape{s.TotalSize() / l.In, l.In})
		if err != nil {
			return nil, err
		}
		y, err := l.Forward(flat)
		if err != nil {
			return nil, err
		}
		s[len(s)-1] = l.Out
		return G.Reshape(y, s)
	}
	g := x.Graph()
	if x.Dtype() == tensor.Float32 && l.Weight.Node(g).Dtype() == tensor.Float32 {
		var b *G.Node
		if l.Bias != nil {
			b = l.Bias.Node(g)
		}
		return linear(x, l.Weight.Node(g), b)
	}
	wt, err := G.Transpose(l.Weight.Node(g))
	if err != nil {
		return nil, err
	}
	y, err := G.Mul(x, wt)
	if err != nil {
		return nil, err
	}
	if l.Bias == nil {
		return y, nil
	}
	return alongAxis(G.BroadcastAdd, y, l.Bias.Node(g), 1)
}
