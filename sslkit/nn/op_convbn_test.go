package nn

import (
	"math"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// evalConvBN returns a Conv2d and an evaluation-mode BatchNorm with
// running statistics and affine parameters away from their defaults.
func evalConvBN(t *testing.T, stride, pad int) (*Conv2d, *BatchNorm) {
	t.Helper()
	o := DefaultConvOptions()
	o.Stride, o.Padding, o.NoBias = stride, pad, true
	c, err := NewConv2d("c", 2, 3, 3, o, seeded())
	if err != nil {
		t.Fatal(err)
	}
	bn, err := NewBatchNorm2d("bn", 3, DefaultBNOptions())
	if err != nil {
		t.Fatal(err)
	}
	copy(bn.RunningMean.Data(), []float32{0.1, -0.2, 0.05})
	copy(bn.RunningVar.Data(), []float32{0.5, 1.5, 0.8})
	copy(bn.Weight.Data(), []float32{1.2, 0.7, -0.9})
	copy(bn.Bias.Data(), []float32{0.1, -0.3, 0.2})
	bn.SetTraining(false)
	return c, bn
}

// The fused Conv2d → BatchNorm (eval) [→ ReLU] of Sequential gives the
// layers' values one by one; without the ReLU its gradients for the input,
// the filter, γ and β agree with finite differences, and with it they
// agree with the gradients of the three layers applied one at a time
// (each checked against finite differences on its own: the ReLU's kink
// makes finite differences through a convolution's filter unreliable).
func TestConvBNEvalFused(t *testing.T) {
	shape := tensor.Shape{2, 2, 5, 5}
	for _, relu := range []bool{false, true} {
		for _, stride := range []int{1, 2} {
			c, bn := evalConvBN(t, stride, 1)
			mods := []Module{c, bn}
			if relu {
				mods = append(mods, ReLU{})
			}
			seq := NewSequential(mods...)
			if relu {
				compareGradients(t, seq, layers(mods), shape)
			} else {
				checkGradients(t, seq, shape, gradcheck.Options{})
			}

			// Values: the fused op against the layers applied one at a time.
			g := G.NewGraph()
			x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName("x"),
				G.WithValue(gradcheck.RandomTensor(tensor.Float32, shape, 7, 1)))
			fused, err := seq.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			y, err := c.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			if y, err = bn.Forward(y); err != nil {
				t.Fatal(err)
			}
			if relu {
				if y, err = relu32(y); err != nil {
					t.Fatal(err)
				}
			}
			var fv, yv G.Value
			G.Read(fused, &fv)
			G.Read(y, &yv)
			graphtest.Run(t, g)
			a, b := fv.Data().([]float32), yv.Data().([]float32)
			for i := range a {
				if math.Abs(float64(a[i]-b[i])) > 1e-5*(1+math.Abs(float64(b[i]))) {
					t.Fatalf("relu=%v stride %d: fused y[%d] = %g, layers %g", relu, stride, i, a[i], b[i])
				}
			}
		}
	}
}

// layers applies modules one at a time (no fusion).
type layers []Module

func (l layers) Forward(x *G.Node) (*G.Node, error) {
	for _, m := range l {
		var err error
		if x, err = m.Forward(x); err != nil {
			return nil, err
		}
	}
	return x, nil
}
func (l layers) Params() []*Param { return collect(l...) }

// compareGradients checks that a and b (the same parameters) give the same
// gradients of a random projection of their outputs.
func compareGradients(t *testing.T, a, b Module, shape tensor.Shape) {
	t.Helper()
	run := func(m Module) [][]float64 {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, shape.Dims(), G.WithShape(shape...), G.WithName("x"),
			G.WithValue(gradcheck.RandomTensor(tensor.Float32, shape, 7, 1)))
		y, err := m.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := gradcheck.Projection(y, 11)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := G.Grad(cost, append(G.Nodes{x}, ParamNodes(m, g)...)...)
		if err != nil {
			t.Fatal(err)
		}
		graphtest.Run(t, g)
		var out [][]float64
		for _, gn := range gs {
			out = append(out, graphtest.Float64s(t, gn.Value()))
		}
		return out
	}
	ga, gb := run(a), run(b)
	for i := range ga {
		for j := range ga[i] {
			if math.Abs(ga[i][j]-gb[i][j]) > 1e-4*(1+math.Abs(gb[i][j])) {
				t.Fatalf("gradient %d[%d]: fused %g, layers %g", i, j, ga[i][j], gb[i][j])
			}
		}
	}
}

// relu32 is the unfused ReLU op.
func relu32(x *G.Node) (*G.Node, error) { return relu(x) }
