package nn

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// StochasticDepth drops a whole residual branch per example with
// probability P during training and scales survivors by 1/(1-P)
// (torchvision's StochasticDepth in "row" mode, used by EfficientNet).
// In evaluation, or with P = 0, it is the identity.
type StochasticDepth struct {
	P        float64
	training bool
}

// NewStochasticDepth makes a StochasticDepth in training mode; 0 ≤ p < 1.
func NewStochasticDepth(p float64) (*StochasticDepth, error) {
	if p < 0 || p >= 1 {
		return nil, errf("StochasticDepth: probability must be in [0, 1), got %g", p)
	}
	return &StochasticDepth{P: p, training: true}, nil
}

func (s *StochasticDepth) Params() []*Param    { return nil }
func (s *StochasticDepth) SetTraining(on bool) { s.training = on }

func (s *StochasticDepth) Forward(x *G.Node) (*G.Node, error) {
	if !s.training || s.P == 0 {
		return x, nil
	}
	if s.P < 0 || s.P >= 1 {
		return nil, errf("StochasticDepth: probability must be in [0, 1), got %g", s.P)
	}
	rng := rand.New(rand.NewSource(defaultRand.Int63()))
	p, keep := s.P, float32(1/(1-s.P))
	mask, err := G.ApplyOp(&customop.Op{
		Name: fmt.Sprintf("StochasticDepthMask %g %p", s.P, rng), NumIn: 1,
		Shape: func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil },
		Kernel: func(out []float32, _ [][]float32, shapes []tensor.Shape) {
			per := shapes[0].TotalSize() / shapes[0][0]
			for n := 0; n < shapes[0][0]; n++ {
				if rng.Float64() >= p {
					row := out[n*per : (n+1)*per]
					for i := range row {
						row[i] = keep
					}
				}
			}
		},
	}, x)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, mask)
}
