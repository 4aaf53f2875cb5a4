package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossEntropy is the mean over rows of −log softmax(logits)[label]
// (torch.nn.functional.cross_entropy with integer targets, reduction
// "mean"). logits is N×C (entries may be −Inf, e.g. after MaskedFill);
// labels is a length-N node of dtype tensor.Int with values in [0, C),
// checked when the graph runs. Use Labels to make one.
func CrossEntropy(logits, labels *G.Node) (*G.Node, error) {
	if logits == nil || labels == nil {
		return nil, fmt.Errorf("ops.CrossEntropy: nil node")
	}
	ls, ys := logits.Shape(), labels.Shape()
	if ls.Dims() != 2 || ys.Dims() != 1 || ys[0] != ls[0] {
		return nil, fmt.Errorf("ops.CrossEntropy: logits %v and labels %v, want N×C and N", ls, ys)
	}
	return apply(ceKernel{}, logits, labels)
}

// CrossEntropyOffDiagonal is CrossEntropy over each row's logits off the
// main diagonal: the same as CrossEntropy(MaskedFill(logits,
// EyeMask(N), −Inf), labels) for an N×N logits matrix, without the
// masked copy (NT-Xent's similarity matrix, where a sample is not its own
// negative). No label may point at the diagonal.
func CrossEntropyOffDiagonal(logits, labels *G.Node) (*G.Node, error) {
	if logits == nil || labels == nil {
		return nil, fmt.Errorf("ops.CrossEntropyOffDiagonal: nil node")
	}
	ls, ys := logits.Shape(), labels.Shape()
	if ls.Dims() != 2 || ls[0] != ls[1] || ys.Dims() != 1 || ys[0] != ls[0] {
		return nil, fmt.Errorf("ops.CrossEntropyOffDiagonal: logits %v and labels %v, want N×N and N", ls, ys)
	}
	return apply(ceKernel{skipDiag: true}, logits, labels)
}

// Labels adds a graph input holding integer class labels, for CrossEntropy.
// Its value can be replaced per batch with gorgonia.Let (same length).
func Labels(g *G.ExprGraph, name string, labels []int) *G.Node {
	v := tensor.New(tensor.WithShape(len(labels)), tensor.WithBacking(append([]int(nil), labels...)))
	return G.NewTensor(g, tensor.Int, 1, G.WithShape(len(labels)), G.WithName(name), G.WithValue(v))
}

type ceKernel struct{ skipDiag bool }

func (k ceKernel) name() string {
	if k.skipDiag {
		return "CrossEntropyOffDiagonal"
	}
	return "CrossEntropy"
}

// masked returns x with the diagonal at −Inf when the kernel skips it.
func (k ceKernel) masked(x buf) buf {
	if !k.skipDiag {
		return x
	}
	m := buf{append([]float64(nil), x.data...), x.shape, x.dt}
	cols := x.shape[1]
	for r := 0; r < x.shape[0]; r++ {
		m.data[r*cols+r] = math.Inf(-1)
	}
	return m
}
func (ceKernel) inputs() []inputSpec {
	return []inputSpec{{dims: 2}, {dims: 1, dtype: tensor.Int}}
}
func (ceKernel) outDims() int    { return 0 }
func (ceKernel) diffWRT() []bool { return []bool{true, false} }
func (ceKernel) shape([]tensor.Shape) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func labelAt(labels buf, r, classes int) (int, error) {
	y := int(labels.data[r])
	if y < 0 || y >= classes {
		return 0, fmt.Errorf("label %d of row %d is outside [0, %d)", y, r, classes)
	}
	return y, nil
}

func (k ceKernel) forward(in []buf) (buf, error) {
	x, labels := k.masked(in[0]), in[1]
	rows, cols := x.shape[0], x.shape[1]
	for r := 0; r < rows; r++ {
		if _, err := labelAt(labels, r, cols); err != nil {
			return buf{}, err
		}
	}
	perRow := make([]float64, rows)
	parallelRows(rows, cols, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			perRow[r] = lseStrided(x.data, r*cols, cols, 1) - x.data[r*cols+int(labels.data[r])]
		}
	})
	out := newBuf(tensor.ScalarShape(), x.dt)
	for _, v := range perRow {
		out.data[0] += v
	}
	out.data[0] /= float64(rows)
	return out, nil
}

// backward: (softmax − onehot(label)) · g / N.
func (k ceKernel) backward(in []buf, _, grad buf, _ int) (buf, error) {
	x, labels := k.masked(in[0]), in[1]
	rows, cols := x.shape[0], x.shape[1]
	for r := 0; r < rows; r++ {
		if _, err := labelAt(labels, r, cols); err != nil {
			return buf{}, err
		}
	}
	dx := newBuf(x.shape, x.dt)
	g := grad.data[0] / float64(rows)
	parallelRows(rows, cols, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			softmaxRow(x.data[r*cols:(r+1)*cols], dx.data[r*cols:(r+1)*cols], g)
			dx.data[r*cols+int(labels.data[r])] -= g
		}
	})
	return dx, nil
}

// softmaxRow writes scale·softmax(x) into dst with one exp per element
// (masked −Inf entries get 0).
func softmaxRow(x, dst []float64, scale float64) {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return
	}
	s := 0.0
	for j, v := range x {
		e := math.Exp(v - m)
		dst[j] = e
		s += e
	}
	scale /= s
	for j := range dst {
		dst[j] *= scale
	}
}

// SoftCrossEntropy is the mean over all leading positions of
// −Σ_c target[c] · log softmax(logits)[c], the softmax along the last axis
// (torch: (−target * log_softmax(logits, −1)).sum(−1).mean()). It is
// differentiable in both inputs; wrap target in StopGradient for
// distillation.
func SoftCrossEntropy(logits, target *G.Node) (*G.Node, error) {
	if logits == nil || target == nil {
		return nil, fmt.Errorf("ops.SoftCrossEntropy: nil node")
	}
	if logits.Shape().Dims() == 0 || !logits.Shape().Eq(target.Shape()) {
		return nil, fmt.Errorf("ops.SoftCrossEntropy: logits %v and target %v must have one non-scalar shape", logits.Shape(), target.Shape())
	}
	return apply(softCEKernel{dims: logits.Shape().Dims()}, logits, target)
}

type softCEKernel struct{ dims int }

func (k softCEKernel) name() string        { return fmt.Sprintf("SoftCrossEntropy%d", k.dims) }
func (k softCEKernel) inputs() []inputSpec { return []inputSpec{{dims: k.dims}, {dims: k.dims}} }
func (k softCEKernel) outDims() int        { return 0 }
func (k softCEKernel) diffWRT() []bool     { return []bool{true, true} }
func (k softCEKernel) shape([]tensor.Shape) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (k softCEKernel) forward(in []buf) (buf, error) {
	x, t := in[0], in[1]
	cols := x.shape[len(x.shape)-1]
	rows := len(x.data) / cols
	out := newBuf(tensor.ScalarShape(), x.dt)
	for r := 0; r < rows; r++ {
		l := lseStrided(x.data, r*cols, cols, 1)
		for c := 0; c < cols; c++ {
			if p := t.data[r*cols+c]; p != 0 {
				out.data[0] -= p * (x.data[r*cols+c] - l)
			}
		}
	}
	out.data[0] /= float64(rows)
	return out, nil
}

// backward: logits get (softmax·Σt − t)·g/N; target gets −log_softmax·g/N.
func (k softCEKernel) backward(in []buf, _, grad buf, wrt int) (buf, error) {
	x, t := in[0], in[1]
	cols := x.shape[len(x.shape)-1]
	rows := len(x.data) / cols
	d := newBuf(x.shape, x.dt)
	g := grad.data[0] / float64(rows)
	for r := 0; r < rows; r++ {
		l := lseStrided(x.data, r*cols, cols, 1)
		st := 0.0
		for c := 0; c < cols; c++ {
			st += t.data[r*cols+c]
		}
		for c := 0; c < cols; c++ {
			p := r*cols + c
			if wrt == 0 {
				d.data[p] = g * (math.Exp(x.data[p]-l)*st - t.data[p])
			} else {
				d.data[p] = -g * (x.data[p] - l)
			}
		}
	}
	return d, nil
}
