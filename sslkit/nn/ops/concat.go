package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Concat joins xs along axis, like gorgonia.Concat, with a gradient that is
// right for every size. gorgonia v0.9.18's own Concat is not: its gradient
// slices the output's gradient with slice ops whose hash keeps only the low
// byte of the start and end, so two equal-length pieces whose offsets differ
// by a multiple of 256 (Concat of two 256-row batches: rows 0:256 and
// 256:512) hash alike, gorgonia merges the two slice nodes, and every input
// gets the first piece's gradient. Use Concat (and Slice) instead of
// gorgonia's in sslkit.
func Concat(axis int, xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("ops.Concat: no inputs")
	}
	shapes := make([]tensor.Shape, len(xs))
	for i, x := range xs {
		if x == nil {
			return nil, fmt.Errorf("ops.Concat: input %d is nil", i)
		}
		shapes[i] = x.Shape().Clone()
	}
	r := shapes[0].Dims()
	if axis < 0 || axis >= r {
		return nil, fmt.Errorf("ops.Concat: axis %d out of range for shape %v", axis, shapes[0])
	}
	for i, s := range shapes[1:] {
		if s.Dims() != r {
			return nil, fmt.Errorf("ops.Concat: input %d has shape %v, input 0 %v (ranks differ)", i+1, s, shapes[0])
		}
		for d := 0; d < r; d++ {
			if d != axis && s[d] != shapes[0][d] {
				return nil, fmt.Errorf("ops.Concat: input %d has shape %v, input 0 %v (they may differ only along axis %d)", i+1, s, shapes[0], axis)
			}
		}
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return apply(concatKernel{axis: axis, rank: r, n: len(xs)}, xs...)
}

type concatKernel struct{ axis, rank, n int }

func (k concatKernel) name() string { return fmt.Sprintf("Concat axis %d of %d", k.axis, k.n) }
func (k concatKernel) inputs() []inputSpec {
	s := make([]inputSpec, k.n)
	for i := range s {
		s[i] = inputSpec{dims: k.rank}
	}
	return s
}
func (k concatKernel) outDims() int { return k.rank }
func (k concatKernel) diffWRT() []bool {
	d := make([]bool, k.n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (k concatKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	out := in[0].Clone()
	for _, s := range in[1:] {
		out[k.axis] += s[k.axis]
	}
	return out, nil
}

// blocks returns the number of outer blocks (the product of the axes before
// axis) and the size of one block of a tensor of shape s.
func blocks(s tensor.Shape, axis int) (outer, block int) {
	outer, block = 1, 1
	for d, n := range s {
		if d < axis {
			outer *= n
		} else {
			block *= n
		}
	}
	return outer, block
}

func (k concatKernel) forward(in []buf) (buf, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, b := range in {
		shapes[i] = b.shape
	}
	s, _ := k.shape(shapes)
	out := newBuf(s, in[0].dt)
	outer, total := blocks(s, k.axis)
	off := 0
	for _, b := range in {
		_, sz := blocks(b.shape, k.axis)
		for o := 0; o < outer; o++ {
			copy(out.data[o*total+off:o*total+off+sz], b.data[o*sz:(o+1)*sz])
		}
		off += sz
	}
	return out, nil
}

func (k concatKernel) backward(in []buf, out, grad buf, wrt int) (buf, error) {
	outer, total := blocks(out.shape, k.axis)
	off := 0
	for _, b := range in[:wrt] {
		_, sz := blocks(b.shape, k.axis)
		off += sz
	}
	_, sz := blocks(in[wrt].shape, k.axis)
	g := newBuf(in[wrt].shape, in[wrt].dt)
	for o := 0; o < outer; o++ {
		copy(g.data[o*sz:(o+1)*sz], grad.data[o*total+off:o*total+off+sz])
	}
	return g, nil
}

func (concatKernel) shapeOnlyBackward() {}

// Slice returns x[start:end] along axis (a copy), like gorgonia.Slice with
// one range, without gorgonia's hash collision (see Concat): two gorgonia
// slices of one node whose bounds differ by multiples of 256 (rows 0:256
// and 256:512) are merged into one node.
func Slice(x *G.Node, axis, start, end int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.Slice: nil node")
	}
	s := x.Shape()
	if axis < 0 || axis >= s.Dims() {
		return nil, fmt.Errorf("ops.Slice: axis %d out of range for shape %v", axis, s)
	}
	if start < 0 || end > s[axis] || start >= end {
		return nil, fmt.Errorf("ops.Slice: range %d:%d out of bounds for axis %d of shape %v", start, end, axis, s)
	}
	return apply(sliceKernel{axis: axis, rank: s.Dims(), start: start, end: end}, x)
}

type sliceKernel struct{ axis, rank, start, end int }

func (k sliceKernel) name() string {
	return fmt.Sprintf("Slice axis %d [%d:%d]", k.axis, k.start, k.end)
}
func (k sliceKernel) inputs() []inputSpec { return []inputSpec{{dims: k.rank}} }
func (k sliceKernel) outDims() int        { return k.rank }
func (sliceKernel) diffWRT() []bool       { return []bool{true} }
func (k sliceKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	if in[0][k.axis] < k.end {
		return nil, fmt.Errorf("range %d:%d out of bounds for axis %d of shape %v", k.start, k.end, k.axis, in[0])
	}
	out := in[0].Clone()
	out[k.axis] = k.end - k.start
	return out, nil
}

// rows gives, for a tensor of shape s, the outer block count, the size of
// one block, and the offset and length of the slice within a block.
func (k sliceKernel) rows(s tensor.Shape) (outer, block, off, sz int) {
	outer, block = blocks(s, k.axis)
	inner := block / s[k.axis]
	return outer, block, k.start * inner, (k.end - k.start) * inner
}

func (k sliceKernel) forward(in []buf) (buf, error) {
	s, err := k.shape([]tensor.Shape{in[0].shape})
	if err != nil {
		return buf{}, err
	}
	out := newBuf(s, in[0].dt)
	outer, block, off, sz := k.rows(in[0].shape)
	for o := 0; o < outer; o++ {
		copy(out.data[o*sz:(o+1)*sz], in[0].data[o*block+off:o*block+off+sz])
	}
	return out, nil
}

func (k sliceKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	g := newBuf(in[0].shape, in[0].dt)
	outer, block, off, sz := k.rows(in[0].shape)
	for o := 0; o < outer; o++ {
		copy(g.data[o*block+off:o*block+off+sz], grad.data[o*sz:(o+1)*sz])
	}
	return g, nil
}

func (sliceKernel) shapeOnlyBackward() {}
