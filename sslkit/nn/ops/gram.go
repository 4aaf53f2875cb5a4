package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	sslgemm "github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/internal/customop"
)

// Gram returns x·xᵀ for an N×D matrix x (the N×N matrix of dot products
// between rows, NT-Xent's similarity matrix). It runs in x's own dtype on
// gonum's BLAS, and its gradient (G + Gᵀ)·x is one matrix product, where
// gorgonia's Mul(x, Transpose(x)) would take two.
func Gram(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.Gram: nil node")
	}
	if x.Shape().Dims() != 2 {
		return nil, fmt.Errorf("ops.Gram: x has shape %v, want N×D", x.Shape())
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("ops.Gram: dtype %v, want Float32 or Float64", dt)
	}
	return G.ApplyOp(newGramOp(), x)
}

// dense returns v as a contiguous *tensor.Dense (a copy if it is a view).
func dense(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("value of type %T, want a dense tensor", v)
	}
	if d.RequiresIterator() {
		return d.Materialize().(*tensor.Dense), nil
	}
	return d, nil
}

// newGramOp is x·xᵀ; its gradient is a gramGradOp of (x, G). A float32
// Gram writes into memory the op keeps between runs of its graph.
func newGramOp() *customop.Op {
	sslgemm.Install()
	st := &state{}
	shape := func(in []tensor.Shape) (tensor.Shape, error) { return tensor.Shape{in[0][0], in[0][0]}, nil }
	return &customop.Op{
		Name: "Gram", In: []customop.Arg{{Dims: 2}}, Out: customop.Arg{Dims: 2}, Diff: []bool{true},
		Shape: shape,
		Eval: func(vs []G.Value) (G.Value, error) {
			if vs[0].Dtype() == tensor.Float32 {
				return run32(st, vs, shape, func(_ *state, dst []float32, in []arr) error {
					n, d := in[0].shape[0], in[0].shape[1]
					mm(false, true, n, n, d, 1, in[0].f, in[0].f, dst)
					return nil
				})
			}
			x, err := dense(vs[0])
			if err != nil {
				return nil, err
			}
			n, d := x.Shape()[0], x.Shape()[1]
			xd, ok := x.Data().([]float64)
			if !ok {
				return nil, fmt.Errorf("Gram: unsupported dtype %v", x.Dtype())
			}
			out := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(n, n))
			mm(false, true, n, n, d, 1, xd, xd, out.Data().([]float64))
			return out, nil
		},
		Grad: func(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
			d, err := G.ApplyOp(newGramGradOp(), inputs[0], grad)
			if err != nil {
				return nil, fmt.Errorf("Gram gradient: %w", err)
			}
			return G.Nodes{d}, nil
		},
		AccumulateGrad: func(inputs G.Nodes, output *G.Node) error {
			g, err := output.Grad()
			if err != nil {
				return err
			}
			d, err := gramGrad([]G.Value{inputs[0].Value(), g})
			if err != nil {
				return err
			}
			dst, err := inputs[0].Grad()
			if err != nil {
				return err
			}
			b, err := unpack(d)
			if err != nil {
				return err
			}
			return b.addInto(dst)
		},
	}
}

// newGramGradOp computes (G + Gᵀ)·x from x and the gradient G of x·xᵀ.
func newGramGradOp() *customop.Op {
	st := &state{}
	shape := func(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
	return &customop.Op{
		Name: "∂Gram", In: []customop.Arg{{Dims: 2}, {Dims: 2}}, Out: customop.Arg{Dims: 2},
		Shape: shape,
		Eval: func(vs []G.Value) (G.Value, error) {
			if vs[0].Dtype() == tensor.Float32 && vs[1].Dtype() == tensor.Float32 {
				return run32(st, vs, shape, gramGrad32)
			}
			return gramGrad(vs)
		},
		Grad: func(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
			return nil, fmt.Errorf("∂Gram: second-order gradients are not supported")
		},
	}
}

// gramGrad32 is gramGrad on float32 data, into dst, with the symmetrised
// gradient in st's scratch.
func gramGrad32(st *state, dst []float32, in []arr) error {
	n, d := in[0].shape[0], in[0].shape[1]
	gramGradInto(st.floats(0, n*n), in[1].f, in[0].f, dst, n, d)
	return nil
}

// gramGradInto writes (g + gᵀ)·x into dst, with g + gᵀ in sym.
func gramGradInto[T flt](sym, g, x, dst []T, n, d int) {
	parallelRows(n, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := 0; j < n; j++ {
				sym[i*n+j] = g[i*n+j] + g[j*n+i]
			}
		}
	})
	mm(false, false, n, d, n, 1, sym, x, dst)
}

func gramGrad(vs []G.Value) (G.Value, error) {
	x, err := dense(vs[0])
	if err != nil {
		return nil, err
	}
	g, err := dense(vs[1])
	if err != nil {
		return nil, err
	}
	n, d := x.Shape()[0], x.Shape()[1]
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...))
	switch xd := x.Data().(type) {
	case []float32:
		gramGradInto(make([]float32, n*n), g.Data().([]float32), xd, out.Data().([]float32), n, d)
	case []float64:
		gramGradInto(make([]float64, n*n), g.Data().([]float64), xd, out.Data().([]float64), n, d)
	default:
		return nil, fmt.Errorf("∂Gram: unsupported dtype %v", x.Dtype())
	}
	return out, nil
}
