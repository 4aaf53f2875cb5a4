package ops

import (
	"fmt"
	"sort"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SumAxes sums x over the given axes (negative axes count from the end),
// removing them like torch.sum(x, dim=axes). With no axes it sums
// everything to a scalar. gorgonia's own Sum over two axes of a 4-D tensor
// has a wrong gradient; this one is checked.
func SumAxes(x *G.Node, axes ...int) (*G.Node, error) { return reduceAxes(x, false, axes) }

// MeanAxes is SumAxes divided by the number of elements reduced.
func MeanAxes(x *G.Node, axes ...int) (*G.Node, error) { return reduceAxes(x, true, axes) }

func reduceAxes(x *G.Node, mean bool, axes []int) (*G.Node, error) {
	what := "ops.SumAxes"
	if mean {
		what = "ops.MeanAxes"
	}
	if x == nil {
		return nil, fmt.Errorf("%s: nil node", what)
	}
	dims := x.Shape().Dims()
	if dims == 0 {
		return nil, fmt.Errorf("%s: x is a scalar", what)
	}
	var norm []int
	if len(axes) == 0 {
		for i := 0; i < dims; i++ {
			norm = append(norm, i)
		}
	}
	for _, a := range axes {
		n, err := normAxis(a, dims)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if containsInt(norm, n) {
			return nil, fmt.Errorf("%s: axis %d repeated", what, a)
		}
		norm = append(norm, n)
	}
	sort.Ints(norm)
	return apply(reduceKernel{in: x.Shape().Clone(), axes: norm, mean: mean}, x)
}

type reduceKernel struct {
	in   tensor.Shape
	axes []int
	mean bool
}

func (k reduceKernel) name() string {
	if k.mean {
		return fmt.Sprintf("MeanAxes%v%v", k.in, k.axes)
	}
	return fmt.Sprintf("SumAxes%v%v", k.in, k.axes)
}
func (k reduceKernel) inputs() []inputSpec { return []inputSpec{{dims: len(k.in)}} }
func (k reduceKernel) outDims() int        { return len(k.in) - len(k.axes) }
func (k reduceKernel) diffWRT() []bool     { return []bool{true} }
func (k reduceKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	if !in[0].Eq(k.in) {
		return nil, fmt.Errorf("%s: input shape %v", k.name(), in[0])
	}
	return dropAxes(k.in, k.axes), nil
}

// outIndex maps each input element to its output element.
func (k reduceKernel) outIndex() []int {
	n := k.in.TotalSize()
	idx := make([]int, n)
	coord := make([]int, len(k.in))
	for i := 0; i < n; i++ {
		o := 0
		for a, c := range coord {
			if !containsInt(k.axes, a) {
				o = o*k.in[a] + c
			}
		}
		idx[i] = o
		for a := len(coord) - 1; a >= 0; a-- {
			coord[a]++
			if coord[a] < k.in[a] {
				break
			}
			coord[a] = 0
		}
	}
	return idx
}

func (k reduceKernel) scale() float64 {
	if !k.mean {
		return 1
	}
	n := 1
	for _, a := range k.axes {
		n *= k.in[a]
	}
	return 1 / float64(n)
}

func (k reduceKernel) forward(in []buf) (buf, error) {
	out := newBuf(dropAxes(k.in, k.axes), in[0].dt)
	for i, o := range k.outIndex() {
		out.data[o] += in[0].data[i]
	}
	s := k.scale()
	for i := range out.data {
		out.data[i] *= s
	}
	return out, nil
}

func (k reduceKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	out := newBuf(k.in, in[0].dt)
	s := k.scale()
	for i, o := range k.outIndex() {
		out.data[i] = grad.data[o] * s
	}
	return out, nil
}

func (reduceKernel) shapeOnlyBackward() {}
