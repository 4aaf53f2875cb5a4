package gpu

import (
	"context"
	"fmt"
	"hash"
	"testing"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// tripleOp is a custom op (y = 3x) that knows its backend kernel, as
// sslkit/nn's ops can.
type tripleOp struct{}

func (tripleOp) Arity() int { return 1 }
func (tripleOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (tripleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (tripleOp) Do(v ...G.Value) (G.Value, error) {
	d := v[0].(tensor.Tensor).Data().([]float32)
	out := make([]float32, len(d))
	for i, x := range d {
		out[i] = 3 * x
	}
	return tensor.New(tensor.WithShape(v[0].Shape().Clone()...), tensor.WithBacking(out)), nil
}
func (tripleOp) ReturnsPtr() bool      { return false }
func (tripleOp) CallsExtern() bool     { return false }
func (tripleOp) OverwritesInput() int  { return -1 }
func (tripleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "triple") }
func (tripleOp) Hashcode() uint32      { return 3 }
func (tripleOp) String() string        { return "triple" }

func (tripleOp) LowerGPU(in []tensor.Shape, out tensor.Shape) (func(Backend, []Slice, Slice, []Slice) error, []int, error) {
	n := in[0].TotalSize()
	return func(b Backend, x []Slice, y Slice, s []Slice) error {
		if err := b.Fill(s[0], 3); err != nil {
			return err
		}
		return b.Binary(Mul, y, x[0], s[0], Strided{Shape: []int{n}, StrideA: []int{1}, StrideB: []int{0}})
	}, []int{1}, nil
}

func TestCustomOpWithLowererRunsWithoutFallback(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(5), G.WithName("x"))
	y, err := G.ApplyOp(tripleOp{}, x)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExecutor(NewHost(), g, ExecOptions{Inputs: G.Nodes{x}, Outputs: G.Nodes{y}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.SetInput(x, []float32{1, 2, 3, 4, -5}); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := e.Value(y)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{3, 6, 9, 12, -15} {
		if got[i] != want {
			t.Fatalf("y = %v", got)
		}
	}
	if err := e.SetInput(x, []float32{1}); err == nil {
		t.Error("an input of the wrong size was accepted")
	}
}
