package ops

import (
	"fmt"
	"sort"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RankMean sorts each row of an N×M matrix in ascending order and returns,
// per row, the mean of the entries ranked lo … hi−1 (0-based), an N-vector.
// With skipDiag the entry (i, i) of row i is left out before ranking
// (a sample is not its own negative). The gradient flows, equally split, to
// the selected entries only, as with torch.sort/topk followed by mean.
//
// The triplet losses use it: lo=1, hi=10 picks the 2nd–10th closest
// negatives of a distance matrix; lo=m, hi=m+1 picks the median.
func RankMean(x *G.Node, lo, hi int, skipDiag bool) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("ops.RankMean: nil node")
	}
	s := x.Shape()
	if s.Dims() != 2 {
		return nil, fmt.Errorf("ops.RankMean: x has shape %v, want a matrix", s)
	}
	avail := s[1]
	if skipDiag {
		if s[0] != s[1] {
			return nil, fmt.Errorf("ops.RankMean: skipDiag needs a square matrix, have %v", s)
		}
		avail--
	}
	if lo < 0 || hi <= lo || hi > avail {
		return nil, fmt.Errorf("ops.RankMean: ranks [%d, %d) do not fit the %d entries per row", lo, hi, avail)
	}
	return apply(rankKernel{lo: lo, hi: hi, skipDiag: skipDiag}, x)
}

type rankKernel struct {
	lo, hi   int
	skipDiag bool
}

func (k rankKernel) name() string        { return fmt.Sprintf("RankMean[%d,%d,%v]", k.lo, k.hi, k.skipDiag) }
func (k rankKernel) inputs() []inputSpec { return []inputSpec{{dims: 2}} }
func (k rankKernel) outDims() int        { return 1 }
func (k rankKernel) diffWRT() []bool     { return []bool{true} }
func (k rankKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.Shape{in[0][0]}, nil
}

// selected returns, per row, the column indices ranked lo … hi−1 (ties
// broken by column so the choice is deterministic).
func (k rankKernel) selected(x buf) [][]int {
	rows, cols := x.shape[0], x.shape[1]
	out := make([][]int, rows)
	idx := make([]int, 0, cols)
	for r := 0; r < rows; r++ {
		idx = idx[:0]
		for c := 0; c < cols; c++ {
			if !(k.skipDiag && c == r) {
				idx = append(idx, c)
			}
		}
		row := x.data[r*cols : (r+1)*cols]
		sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] < row[idx[b]] })
		out[r] = append([]int(nil), idx[k.lo:k.hi]...)
	}
	return out
}

func (k rankKernel) forward(in []buf) (buf, error) {
	x := in[0]
	cols := x.shape[1]
	out := newBuf(tensor.Shape{x.shape[0]}, x.dt)
	for r, sel := range k.selected(x) {
		for _, c := range sel {
			out.data[r] += x.data[r*cols+c]
		}
		out.data[r] /= float64(len(sel))
	}
	return out, nil
}

func (k rankKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	x := in[0]
	cols := x.shape[1]
	dx := newBuf(x.shape, x.dt)
	for r, sel := range k.selected(x) {
		for _, c := range sel {
			dx.data[r*cols+c] = grad.data[r] / float64(len(sel))
		}
	}
	return dx, nil
}
