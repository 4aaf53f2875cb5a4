package ops

import (
	"fmt"
	"hash/fnv"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaskedFill returns x with every element whose mask entry is true replaced
// by value (torch.masked_fill); those elements get no gradient. mask is in
// x's row-major order and must have x's size. value may be ±Inf (use
// math.Inf(-1) to drop logits from a softmax).
func MaskedFill(x *G.Node, mask []bool, value float64) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.MaskedFill: nil node")
	}
	if n := x.Shape().TotalSize(); len(mask) != n || x.Shape().Dims() == 0 {
		return nil, fmt.Errorf("ops.MaskedFill: mask has %d entries, x has shape %v", len(mask), x.Shape())
	}
	h := fnv.New64a()
	for _, m := range mask {
		if m {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	k := maskKernel{dims: x.Shape().Dims(), mask: append([]bool(nil), mask...), value: value, digest: h.Sum64()}
	return apply(k, x)
}

// EyeMask returns the row-major mask of the main diagonal of an n×n matrix.
func EyeMask(n int) []bool {
	m := make([]bool, n*n)
	for i := 0; i < n; i++ {
		m[i*n+i] = true
	}
	return m
}

type maskKernel struct {
	dims   int
	mask   []bool
	value  float64
	digest uint64
}

func (k maskKernel) name() string {
	return fmt.Sprintf("MaskedFill%d[%d,%x,%v]", k.dims, len(k.mask), k.digest, k.value)
}
func (k maskKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}} }
func (k maskKernel) outDims() int        { return k.dims }
func (k maskKernel) diffWRT() []bool     { return []bool{true} }
func (k maskKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (k maskKernel) forward(in []buf) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	parallelRows(len(out.data), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if k.mask[i] {
				out.data[i] = k.value
			} else {
				out.data[i] = in[0].data[i]
			}
		}
	})
	return out, nil
}
func (k maskKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	out := newBuf(in[0].shape, in[0].dt)
	parallelRows(len(out.data), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if !k.mask[i] {
				out.data[i] = grad.data[i]
			}
		}
	})
	return out, nil
}

func (maskKernel) shapeOnlyBackward() {}
