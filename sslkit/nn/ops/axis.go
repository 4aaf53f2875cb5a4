package ops

import (
	"fmt"

	"gorgonia.org/tensor"
)

// span splits a shape around one axis: element (o, d, i) of the tensor,
// with o < outer, d < dim and i < inner, sits at (o*dim+d)*inner + i.
type span struct{ outer, dim, inner int }

func spanOf(s tensor.Shape, axis int) span {
	sp := span{1, s[axis], 1}
	for _, n := range s[:axis] {
		sp.outer *= n
	}
	for _, n := range s[axis+1:] {
		sp.inner *= n
	}
	return sp
}

// normAxis resolves a negative axis (−1 = last) and checks its range.
func normAxis(axis, dims int) (int, error) {
	if axis < 0 {
		axis += dims
	}
	if axis < 0 || axis >= dims {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, dims)
	}
	return axis, nil
}

// dropAxes returns s without the given axes (a scalar shape if none remain).
func dropAxes(s tensor.Shape, axes []int) tensor.Shape {
	var out tensor.Shape
	for i, n := range s {
		if !containsInt(axes, i) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return tensor.ScalarShape()
	}
	return out
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}
