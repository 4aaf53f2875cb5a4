package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CentredSoftmax is softmax((t − centre)/temp) along the last axis, DINO's
// centred and sharpened teacher distribution. centre holds one value per
// last-axis entry (shape K or 1×K) and is typically a graph input that the
// caller updates between steps. No gradient flows through it (DINO's
// teacher is never differentiated).
func CentredSoftmax(t, centre *G.Node, temp float64) (*G.Node, error) {
	if err := checkCentred(t, centre); err != nil {
		return nil, err
	}
	if !(temp > 0) {
		return nil, fmt.Errorf("ops.CentredSoftmax: temperature %g must be positive", temp)
	}
	return apply(centredKernel{dims: t.Shape().Dims(), cdims: centre.Shape().Dims(), temp: temp}, t, centre)
}

// CentredSoftmaxT is CentredSoftmax with the temperature read from a
// one-element node when the graph runs, so a schedule (DINO's teacher
// temperature warm-up) needs no rebuild. A temperature ≤ 0 is a run error.
func CentredSoftmaxT(t, centre, temp *G.Node) (*G.Node, error) {
	if err := checkCentred(t, centre); err != nil {
		return nil, err
	}
	if temp == nil || temp.Shape().TotalSize() != 1 || temp.Shape().Dims() > 1 {
		return nil, fmt.Errorf("ops.CentredSoftmaxT: temperature must be a one-element node")
	}
	k := centredKernel{dims: t.Shape().Dims(), cdims: centre.Shape().Dims(), tempDims: 1 + temp.Shape().Dims()}
	return apply(k, t, centre, temp)
}

func checkCentred(t, centre *G.Node) error {
	if t == nil || centre == nil {
		return fmt.Errorf("ops.CentredSoftmax: nil node")
	}
	ts := t.Shape()
	if ts.Dims() == 0 || centre.Shape().TotalSize() != ts[ts.Dims()-1] || centre.Shape().Dims() > 2 {
		return fmt.Errorf("ops.CentredSoftmax: centre %v does not match the last axis of %v", centre.Shape(), ts)
	}
	return nil
}

// centredKernel's temperature is temp, or (tempDims > 0) its third input,
// of rank tempDims−1.
type centredKernel struct {
	dims, cdims, tempDims int
	temp                  float64
}

func (k centredKernel) name() string {
	return fmt.Sprintf("CentredSoftmax%d,%d,%d[%g]", k.dims, k.cdims, k.tempDims, k.temp)
}
func (k centredKernel) inputs() []inputSpec {
	in := []inputSpec{{dims: k.dims}, {dims: k.cdims}}
	if k.tempDims > 0 {
		in = append(in, inputSpec{dims: k.tempDims - 1})
	}
	return in
}
func (k centredKernel) outDims() int { return k.dims }
func (k centredKernel) diffWRT() []bool {
	return make([]bool, len(k.inputs()))
}
func (k centredKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return in[0].Clone(), nil
}
func (k centredKernel) forward(in []buf) (buf, error) {
	t, c := in[0], in[1]
	temp := k.temp
	if k.tempDims > 0 {
		temp = in[2].data[0]
		if !(temp > 0) {
			return buf{}, fmt.Errorf("temperature %g must be positive", temp)
		}
	}
	cols := len(c.data)
	out := newBuf(t.shape, t.dt)
	z := make([]float64, cols)
	for off := 0; off < len(t.data); off += cols {
		for j := range z {
			z[j] = (t.data[off+j] - c.data[j]) / temp
		}
		l := lseStrided(z, 0, cols, 1)
		for j := range z {
			out.data[off+j] = math.Exp(z[j] - l)
		}
	}
	return out, nil
}
func (k centredKernel) backward([]buf, buf, buf, int) (buf, error) {
	return buf{}, fmt.Errorf("CentredSoftmax has no gradient")
}

// MatchGather implements EsViT's region matching: for every student patch
// (sFeat, B×P×F) it finds the teacher patch of the same image (tFeat,
// B×Q×F) with the highest cosine similarity and returns that patch's row of
// tVals (B×Q×K), giving B×P×K. The selection is not differentiated.
func MatchGather(sFeat, tFeat, tVals *G.Node) (*G.Node, error) {
	if sFeat == nil || tFeat == nil || tVals == nil {
		return nil, fmt.Errorf("ops.MatchGather: nil node")
	}
	s, t, v := sFeat.Shape(), tFeat.Shape(), tVals.Shape()
	if s.Dims() != 3 || t.Dims() != 3 || v.Dims() != 3 || s[0] != t[0] || s[2] != t[2] || v[0] != t[0] || v[1] != t[1] {
		return nil, fmt.Errorf("ops.MatchGather: shapes %v, %v, %v; want B×P×F, B×Q×F, B×Q×K", s, t, v)
	}
	return apply(matchKernel{}, sFeat, tFeat, tVals)
}

type matchKernel struct{}

func (matchKernel) name() string { return "MatchGather" }
func (matchKernel) inputs() []inputSpec {
	return []inputSpec{{dims: 3}, {dims: 3}, {dims: 3}}
}
func (matchKernel) outDims() int    { return 3 }
func (matchKernel) diffWRT() []bool { return []bool{false, false, false} }
func (matchKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	return tensor.Shape{in[0][0], in[0][1], in[2][2]}, nil
}

// norms returns the Euclidean norm of each length-f row of x.
func rowNorms(x []float64, f int) []float64 {
	out := make([]float64, len(x)/f)
	for r := range out {
		s := 0.0
		for _, v := range x[r*f : (r+1)*f] {
			s += v * v
		}
		out[r] = math.Max(math.Sqrt(s), DefaultNormEps)
	}
	return out
}

func (matchKernel) forward(in []buf) (buf, error) {
	s, t, v := in[0], in[1], in[2]
	b, p, f := s.shape[0], s.shape[1], s.shape[2]
	q, kk := t.shape[1], v.shape[2]
	sn, tn := rowNorms(s.data, f), rowNorms(t.data, f)
	out := newBuf(tensor.Shape{b, p, kk}, v.dt)
	for i := 0; i < b; i++ {
		for a := 0; a < p; a++ {
			sr := i*p + a
			best, bestSim := 0, math.Inf(-1)
			for c := 0; c < q; c++ {
				tr := i*q + c
				dot := 0.0
				for j := 0; j < f; j++ {
					dot += s.data[sr*f+j] * t.data[tr*f+j]
				}
				if sim := dot / (sn[sr] * tn[tr]); sim > bestSim {
					best, bestSim = c, sim
				}
			}
			copy(out.data[sr*kk:(sr+1)*kk], v.data[(i*q+best)*kk:(i*q+best+1)*kk])
		}
	}
	return out, nil
}
func (matchKernel) backward([]buf, buf, buf, int) (buf, error) {
	return buf{}, fmt.Errorf("MatchGather has no gradient")
}
