package ops

import (
	"fmt"
	"math"
)

// The float32-native paths (kernel32) of the ops on the training hot path.
// Each writes every element of dst and keeps its scratch in st, so after
// the first run of a graph they allocate nothing; sums accumulate in
// float64. The float64 kernels in the ops' own files remain the reference
// (and the path of float64 graphs); the finite-difference tests run both.

func (k concatKernel) forward32(_ *state, dst []float32, in []arr) error {
	outer, _ := blocks(in[0].shape, k.axis)
	total := len(dst) / outer
	off := 0
	for _, b := range in {
		_, sz := blocks(b.shape, k.axis)
		for o := 0; o < outer; o++ {
			copy(dst[o*total+off:o*total+off+sz], b.f[o*sz:(o+1)*sz])
		}
		off += sz
	}
	return nil
}

func (k concatKernel) backward32(_ *state, dst []float32, in []arr, out, grad arr, wrt int) error {
	outer, total := blocks(out.shape, k.axis)
	off := 0
	for _, b := range in[:wrt] {
		_, sz := blocks(b.shape, k.axis)
		off += sz
	}
	_, sz := blocks(in[wrt].shape, k.axis)
	for o := 0; o < outer; o++ {
		copy(dst[o*sz:(o+1)*sz], grad.f[o*total+off:o*total+off+sz])
	}
	return nil
}

func (k sliceKernel) forward32(_ *state, dst []float32, in []arr) error {
	outer, block, off, sz := k.rows(in[0].shape)
	for o := 0; o < outer; o++ {
		copy(dst[o*sz:(o+1)*sz], in[0].f[o*block+off:o*block+off+sz])
	}
	return nil
}

func (k sliceKernel) backward32(_ *state, dst []float32, in []arr, _, grad arr, _ int) error {
	outer, block, off, sz := k.rows(in[0].shape)
	clear(dst)
	for o := 0; o < outer; o++ {
		copy(dst[o*block+off:o*block+off+sz], grad.f[o*sz:(o+1)*sz])
	}
	return nil
}

func (k maskKernel) forward32(_ *state, dst []float32, in []arr) error {
	v := float32(k.value)
	x := in[0].f
	parallelRows(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if k.mask[i] {
				dst[i] = v
			} else {
				dst[i] = x[i]
			}
		}
	})
	return nil
}

func (k maskKernel) backward32(_ *state, dst []float32, _ []arr, _, grad arr, _ int) error {
	g := grad.f
	parallelRows(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if k.mask[i] {
				dst[i] = 0
			} else {
				dst[i] = g[i]
			}
		}
	})
	return nil
}

func (diagKernel) forward32(_ *state, dst []float32, in []arr) error {
	cols := in[0].shape[1]
	for i := range dst {
		dst[i] = in[0].f[i*cols+i]
	}
	return nil
}

func (diagKernel) backward32(_ *state, dst []float32, in []arr, _, grad arr, _ int) error {
	cols := in[0].shape[1]
	clear(dst)
	for i, g := range grad.f {
		dst[i*cols+i] = g
	}
	return nil
}

// sum64 adds f(i) for i in [0, n) in float64 on both cores.
func sum64(st *state, slot, n int, f func(lo, hi int) float64) float64 {
	parts := st.zeros64(slot, 64)
	chunks := 1
	if n >= 1<<15 {
		chunks = 2
	}
	step := (n + chunks - 1) / chunks
	parallelRows(chunks, 1<<15, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			a, b := c*step, (c+1)*step
			if b > n {
				b = n
			}
			if a < b {
				parts[c] = f(a, b)
			}
		}
	})
	s := 0.0
	for _, p := range parts[:chunks] {
		s += p
	}
	return s
}

func (k sumSqKernel) forward32(st *state, dst []float32, in []arr) error {
	x := in[0].f
	dst[0] = float32(sum64(st, 0, len(x), func(lo, hi int) float64 {
		s := 0.0
		for _, v := range x[lo:hi] {
			s += float64(v) * float64(v)
		}
		return s
	}))
	return nil
}

func (k sumSqKernel) backward32(_ *state, dst []float32, in []arr, _, grad arr, _ int) error {
	g := 2 * grad.f[0]
	x := in[0].f
	parallelRows(len(dst), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = g * x[i]
		}
	})
	return nil
}

// l2each calls f for every vector along the axis with its offset and
// clamped norm, on both cores.
func (k l2Kernel) each32(x arr, f func(off int, sp span, norm float64, clamped bool)) {
	sp := spanOf(x.shape, k.axis)
	parallelRows(sp.outer*sp.inner, sp.dim, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			o, i := v/sp.inner, v%sp.inner
			off := o*sp.dim*sp.inner + i
			s := 0.0
			for j := 0; j < sp.dim; j++ {
				e := float64(x.f[off+j*sp.inner])
				s += e * e
			}
			n := math.Sqrt(s)
			if n > k.eps {
				f(off, sp, n, false)
			} else {
				f(off, sp, k.eps, true)
			}
		}
	})
}

func (k l2Kernel) forward32(_ *state, dst []float32, in []arr) error {
	x := in[0].f
	k.each32(in[0], func(off int, sp span, n float64, _ bool) {
		r := float32(k.scale / n)
		for j := 0; j < sp.dim; j++ {
			dst[off+j*sp.inner] = x[off+j*sp.inner] * r
		}
	})
	return nil
}

// backward: s·(g − y·⟨g, y⟩)/‖x‖ with y = x/‖x‖, or s·g/eps where clamped.
func (k l2Kernel) backward32(_ *state, dst []float32, in []arr, _, grad arr, _ int) error {
	x, g := in[0].f, grad.f
	k.each32(in[0], func(off int, sp span, n float64, clamped bool) {
		dot := 0.0
		if !clamped {
			for j := 0; j < sp.dim; j++ {
				p := off + j*sp.inner
				dot += float64(g[p]) * float64(x[p])
			}
			dot /= n
		}
		a := float32(k.scale / n)
		b := float32(k.scale * dot / (n * n))
		for j := 0; j < sp.dim; j++ {
			p := off + j*sp.inner
			dst[p] = a*g[p] - b*x[p]
		}
	})
	return nil
}

// colStats returns per-column means and 1/sqrt(var+eps) of an n×d matrix.
func (k bstdKernel) colStats(st *state, x []float32, n, d int) (mean, inv []float64) {
	mean, inv = st.zeros64(0, d), st.zeros64(1, d)
	parallelRows(d, 2*n, func(lo, hi int) {
		for r := 0; r < n; r++ {
			row := x[r*d : r*d+d]
			for c := lo; c < hi; c++ {
				mean[c] += float64(row[c])
			}
		}
		for c := lo; c < hi; c++ {
			mean[c] /= float64(n)
		}
		for r := 0; r < n; r++ {
			row := x[r*d : r*d+d]
			for c := lo; c < hi; c++ {
				v := float64(row[c]) - mean[c]
				inv[c] += v * v
			}
		}
		for c := lo; c < hi; c++ {
			inv[c] = 1 / math.Sqrt(inv[c]/float64(n)+k.eps)
		}
	})
	return mean, inv
}

func (k bstdKernel) forward32(st *state, dst []float32, in []arr) error {
	x := in[0].f
	n, d := in[0].shape[0], in[0].shape[1]
	mean, inv := k.colStats(st, x, n, d)
	parallelRows(n, d, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			for c := 0; c < d; c++ {
				dst[r*d+c] = float32((float64(x[r*d+c]) - mean[c]) * inv[c])
			}
		}
	})
	st.cacheOf = &x[0]
	return nil
}

// backward: dx = inv · (g − mean(g) − y·mean(g·y)) per column.
func (k bstdKernel) backward32(st *state, dst []float32, in []arr, _, grad arr, _ int) error {
	x, g := in[0].f, grad.f
	n, d := in[0].shape[0], in[0].shape[1]
	var mean, inv []float64
	if st.cached(x) {
		mean, inv = st.fwd.f64[0][:d], st.fwd.f64[1][:d]
	} else {
		mean, inv = k.colStats(st, x, n, d)
	}
	mg, mgy := st.zeros64(2, d), st.zeros64(3, d)
	parallelRows(d, 2*n, func(lo, hi int) {
		for r := 0; r < n; r++ {
			for c := lo; c < hi; c++ {
				y := (float64(x[r*d+c]) - mean[c]) * inv[c]
				mg[c] += float64(g[r*d+c])
				mgy[c] += float64(g[r*d+c]) * y
			}
		}
		for c := lo; c < hi; c++ {
			mg[c] /= float64(n)
			mgy[c] /= float64(n)
		}
	})
	parallelRows(n, d, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			for c := 0; c < d; c++ {
				y := (float64(x[r*d+c]) - mean[c]) * inv[c]
				dst[r*d+c] = float32(inv[c] * (float64(g[r*d+c]) - mg[c] - y*mgy[c]))
			}
		}
	})
	return nil
}

// ceRow computes one row's softmax into p (float32; 0 at a skipped
// diagonal entry and at −Inf logits) and returns its log-sum-exp.
func ceRow(x, p []float32, skip int) float64 {
	m := math.Inf(-1)
	for j, v := range x {
		if j != skip && float64(v) > m {
			m = float64(v)
		}
	}
	if math.IsInf(m, 0) {
		clear(p)
		return m
	}
	s := 0.0
	for j, v := range x {
		if j == skip {
			p[j] = 0
			continue
		}
		e := math.Exp(float64(v) - m)
		p[j] = float32(e)
		s += e
	}
	r := float32(1 / s)
	for j := range p {
		p[j] *= r
	}
	return m + math.Log(s)
}

func (k ceKernel) checkLabels(labels []int, cols int) error {
	for r, y := range labels {
		if y < 0 || y >= cols {
			return fmt.Errorf("label %d of row %d is outside [0, %d)", y, r, cols)
		}
	}
	return nil
}

// forward32 keeps the rows' softmax for the gradient (the one exp per
// logit of the whole step).
func (k ceKernel) forward32(st *state, dst []float32, in []arr) error {
	x, labels := in[0].f, in[1].ints
	rows, cols := in[0].shape[0], in[0].shape[1]
	if err := k.checkLabels(labels, cols); err != nil {
		return err
	}
	p := st.floats(0, rows*cols)
	perRow := st.zeros64(0, rows)
	parallelRows(rows, 8*cols, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			skip := -1
			if k.skipDiag {
				skip = r
			}
			l := ceRow(x[r*cols:(r+1)*cols], p[r*cols:(r+1)*cols], skip)
			perRow[r] = l - float64(x[r*cols+labels[r]])
		}
	})
	s := 0.0
	for _, v := range perRow {
		s += v
	}
	dst[0] = float32(s / float64(rows))
	st.cacheOf = &x[0]
	return nil
}

// backward32: (softmax − onehot(label)) · g / N.
func (k ceKernel) backward32(st *state, dst []float32, in []arr, _, grad arr, _ int) error {
	x, labels := in[0].f, in[1].ints
	rows, cols := in[0].shape[0], in[0].shape[1]
	if err := k.checkLabels(labels, cols); err != nil {
		return err
	}
	g := float32(float64(grad.f[0]) / float64(rows))
	var p []float32
	if st.cached(x) {
		p = st.fwd.f32[0][:rows*cols]
	}
	parallelRows(rows, 4*cols, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			d := dst[r*cols : (r+1)*cols]
			if p != nil {
				for j, v := range p[r*cols : (r+1)*cols] {
					d[j] = v * g
				}
			} else {
				skip := -1
				if k.skipDiag {
					skip = r
				}
				ceRow(x[r*cols:(r+1)*cols], d, skip)
				for j := range d {
					d[j] *= g
				}
			}
			d[labels[r]] -= g
		}
	})
	return nil
}
