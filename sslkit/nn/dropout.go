package nn

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// Dropout zeroes each element with probability P during training and
// scales the survivors by 1/(1-P); in evaluation, or with P = 0, it is the
// identity (gorgonia's own Dropout has a wrong gradient at P = 0). A new
// mask is drawn on every run of the graph.
type Dropout struct {
	P        float64
	training bool
}

// NewDropout makes a Dropout in training mode; 0 ≤ p < 1.
func NewDropout(p float64) (*Dropout, error) {
	if p < 0 || p >= 1 {
		return nil, errf("Dropout: probability must be in [0, 1), got %g", p)
	}
	return &Dropout{P: p, training: true}, nil
}

func (d *Dropout) Params() []*Param    { return nil }
func (d *Dropout) SetTraining(on bool) { d.training = on }
func (d *Dropout) Forward(x *G.Node) (*G.Node, error) {
	if !d.training || d.P == 0 {
		return x, nil
	}
	if d.P < 0 || d.P >= 1 {
		return nil, errf("Dropout: probability must be in [0, 1), got %g", d.P)
	}
	// The mask op reads only x's shape; it draws from its own generator
	// (gorgonia's UniformRandomNode kept every unit in our tests).
	rng := rand.New(rand.NewSource(defaultRand.Int63()))
	p, keep := d.P, float32(1/(1-d.P))
	mask, err := G.ApplyOp(&customop.Op{
		Name: fmt.Sprintf("DropoutMask %g %p", d.P, rng), NumIn: 1,
		Shape: func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil },
		Kernel: func(out []float32, _ [][]float32, _ []tensor.Shape) {
			for i := range out {
				if rng.Float64() >= p {
					out[i] = keep
				}
			}
		},
	}, x)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, mask)
}
