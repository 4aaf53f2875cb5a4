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

// runs calls f once per innermost run of the input: n contiguous input
// elements from offset i, whose output elements start at offset o and
// advance by step (0 when the last axis is reduced, 1 when it is kept).
// An odometer over the outer axes keeps o without an index table.
func (k reduceKernel) runs(f func(i, o, n, step int)) {
	dims := len(k.in)
	ostr := make([]int, dims) // output stride of each input axis; 0 if reduced
	s := 1
	for a := dims - 1; a >= 0; a-- {
		if !containsInt(k.axes, a) {
			ostr[a] = s
			s *= k.in[a]
		}
	}
	n := k.in[dims-1]
	total := k.in.TotalSize()
	coord := make([]int, dims)
	o := 0
	for i := 0; i < total; i += n {
		f(i, o, n, ostr[dims-1])
		for a := dims - 2; a >= 0; a-- {
			coord[a]++
			o += ostr[a]
			if coord[a] < k.in[a] {
				break
			}
			o -= ostr[a] * coord[a]
			coord[a] = 0
		}
	}
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
	x := in[0].data
	k.runs(func(i, o, n, step int) {
		if step == 0 {
			var s float64
			for _, v := range x[i : i+n] {
				s += v
			}
			out.data[o] += s
			return
		}
		dst := out.data[o : o+n]
		for j, v := range x[i : i+n] {
			dst[j] += v
		}
	})
	s := k.scale()
	for i := range out.data {
		out.data[i] *= s
	}
	return out, nil
}

func (k reduceKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	out := newBuf(k.in, in[0].dt)
	s := k.scale()
	k.runs(func(i, o, n, step int) {
		dst := out.data[i : i+n]
		if step == 0 {
			g := grad.data[o] * s
			for j := range dst {
				dst[j] = g
			}
			return
		}
		for j, g := range grad.data[o : o+n] {
			dst[j] = g * s
		}
	})
	return out, nil
}

func (reduceKernel) shapeOnlyBackward() {}
