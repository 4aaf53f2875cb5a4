package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func errf(format string, a ...interface{}) error { return fmt.Errorf("nn: "+format, a...) }

type broadcastFn func(a, b *G.Node, left, right []byte) (*G.Node, error)

// alongAxis applies op(x, v) where the vector v runs along one axis of x
// and is repeated over every other axis (a per-channel scale or shift).
// A v of length 1 is repeated everywhere.
func alongAxis(op broadcastFn, x, v *G.Node, axis int) (*G.Node, error) {
	n := v.Shape().TotalSize()
	if axis < 0 || axis >= x.Dims() {
		return nil, fmt.Errorf("axis %d out of range for shape %v", axis, x.Shape())
	}
	if n != 1 && n != x.Shape()[axis] {
		return nil, fmt.Errorf("vector of length %d cannot run along axis %d of shape %v", n, axis, x.Shape())
	}
	shape := make(tensor.Shape, x.Dims())
	var pattern []byte
	for i := range shape {
		shape[i] = 1
		if i == axis && n != 1 {
			shape[i] = n
			continue
		}
		if x.Shape()[i] != 1 {
			pattern = append(pattern, byte(i))
		}
	}
	r, err := G.Reshape(v, shape)
	if err != nil {
		return nil, err
	}
	if len(pattern) == 0 {
		return op(x, r, nil, nil)
	}
	return op(x, r, nil, pattern)
}

// scaleChannels multiplies x (N, C, …) by a per-channel vector.
func scaleChannels(x, v *G.Node) (*G.Node, error) {
	return alongAxis(G.BroadcastHadamardProd, x, v, 1)
}

// shiftChannels adds a per-channel vector to x (N, C, …).
func shiftChannels(x, v *G.Node) (*G.Node, error) {
	return alongAxis(G.BroadcastAdd, x, v, 1)
}

// expandTo repeats a reduced tensor r back over the axes it lost, so that
// op(x, r) works; keep lists the axes of x that r still has, in order.
func expandTo(op broadcastFn, x, r *G.Node, keep ...int) (*G.Node, error) {
	shape := make(tensor.Shape, x.Dims())
	var pattern []byte
	k := 0
	for i := range shape {
		if k < len(keep) && keep[k] == i {
			shape[i] = x.Shape()[i]
			k++
			continue
		}
		shape[i] = 1
		if x.Shape()[i] != 1 {
			pattern = append(pattern, byte(i))
		}
	}
	rr, err := G.Reshape(r, shape)
	if err != nil {
		return nil, err
	}
	if len(pattern) == 0 {
		return op(x, rr, nil, nil)
	}
	return op(x, rr, nil, pattern)
}
