package ops

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	sslgemm "github.com/gossl/gossl/sslkit/gemm"
)

// BarlowTwinsTerms returns Barlow Twins' objective for two batch-
// standardised N×D embeddings a and b:
//
//	Σ_i (C_ii − 1)² + λ Σ_{i≠j} C_ij²,   C = aᵀb / N (D×D),
//
// in one op. When N ≤ D it never forms C: Σ C_ij² = Σ (a·aᵀ ⊙ b·bᵀ) / N²
// from the two N×N Gram matrices, and the gradient w.r.t. a is
// (2λ/N²)·(b·bᵀ)·a plus a diagonal term — four N×N×D products per step
// instead of three D×D×N ones (Barlow Twins' embeddings are wider than
// its batches). Otherwise it forms C. Sums accumulate in float64.
func BarlowTwinsTerms(a, b *G.Node, lambda float64) (*G.Node, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("ops.BarlowTwinsTerms: nil node")
	}
	if a.Shape().Dims() != 2 || !a.Shape().Eq(b.Shape()) {
		return nil, fmt.Errorf("ops.BarlowTwinsTerms: shapes %v and %v, want one N×D shape", a.Shape(), b.Shape())
	}
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("ops.BarlowTwinsTerms: lambda %g must be ≥ 0", lambda)
	}
	sslgemm.Install()
	return apply(barlowKernel{lambda: lambda}, a, b)
}

type barlowKernel struct{ lambda float64 }

func (k barlowKernel) name() string        { return fmt.Sprintf("BarlowTwinsTerms[%g]", k.lambda) }
func (k barlowKernel) inputs() []inputSpec { return []inputSpec{{dims: 2}, {dims: 2}} }
func (k barlowKernel) outDims() int        { return 0 }
func (k barlowKernel) diffWRT() []bool     { return []bool{true, true} }
func (k barlowKernel) shape(in []tensor.Shape) (tensor.Shape, error) {
	if !in[0].Eq(in[1]) {
		return nil, fmt.Errorf("shapes %v and %v differ", in[0], in[1])
	}
	return tensor.ScalarShape(), nil
}

type flt interface{ ~float32 | ~float64 }

// mm computes c = alpha·op(a)·op(b) for row-major matrices: op(a) is m×k,
// op(b) k×n.
func mm[T flt](tA, tB bool, m, n, k int, alpha float64, a, b, c []T) {
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, ac, br, bc := m, k, k, n
	if tA {
		ta, ar, ac = blas.Trans, k, m
	}
	if tB {
		tb, br, bc = blas.Trans, n, k
	}
	switch av := any(a).(type) {
	case []float32:
		blas32.Gemm(ta, tb, float32(alpha),
			blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: av},
			blas32.General{Rows: br, Cols: bc, Stride: bc, Data: any(b).([]float32)},
			0, blas32.General{Rows: m, Cols: n, Stride: n, Data: any(c).([]float32)})
	case []float64:
		blas64.Gemm(ta, tb, alpha,
			blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: av},
			blas64.General{Rows: br, Cols: bc, Stride: bc, Data: any(b).([]float64)},
			0, blas64.General{Rows: m, Cols: n, Stride: n, Data: any(c).([]float64)})
	}
}

// barlowMats holds the forward's products: ga, gb (N×N Gram matrices)
// when gram, else c (D×D, aᵀb/N); diag is C's diagonal.
type barlowMats[T flt] struct {
	gram       bool
	ga, gb, c  []T
	diag       []float64
	sumSquares float64 // Σ C_ij²
}

// barlowForward fills m (whose slices are preallocated) from a and b.
func barlowForward[T flt](m *barlowMats[T], a, b []T, n, d int) {
	parallelRows(d, 2*n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.diag[i] = 0
		}
		for r := 0; r < n; r++ {
			ar, br := a[r*d:r*d+d], b[r*d:r*d+d]
			for i := lo; i < hi; i++ {
				m.diag[i] += float64(ar[i]) * float64(br[i])
			}
		}
		for i := lo; i < hi; i++ {
			m.diag[i] /= float64(n)
		}
	})
	s := 0.0
	if m.gram {
		mm(false, true, n, n, d, 1, a, a, m.ga)
		mm(false, true, n, n, d, 1, b, b, m.gb)
		for i, v := range m.ga {
			s += float64(v) * float64(m.gb[i])
		}
		s /= float64(n) * float64(n)
	} else {
		mm(true, false, d, d, n, 1/float64(n), a, b, m.c)
		for _, v := range m.c {
			s += float64(v) * float64(v)
		}
	}
	m.sumSquares = s
}

func (k barlowKernel) loss(diag []float64, sumSquares float64) float64 {
	on, d2 := 0.0, 0.0
	for _, v := range diag {
		on += (v - 1) * (v - 1)
		d2 += v * v
	}
	return on + k.lambda*(sumSquares-d2)
}

// barlowGrad writes g·∂loss/∂x into dst, x being input wrt (0: a, 1: b)
// and y the other:
//
//	(2λg/N²)·G_y·x + (g/N)·e_i·y[r,i]   (Gram form)
//	(2λg/N)·y·C(ᵀ) + (g/N)·e_i·y[r,i]    (C form; Cᵀ for a)
//
// with e_i = 2(C_ii − 1) − 2λ·C_ii.
func barlowGrad[T flt](k barlowKernel, m *barlowMats[T], dst, x, y []T, n, d, wrt int, g float64) {
	if m.gram {
		gy := m.gb
		if wrt == 1 {
			gy = m.ga
		}
		mm(false, false, n, d, n, 2*k.lambda*g/(float64(n)*float64(n)), gy, x, dst)
	} else {
		mm(false, wrt == 0, n, d, d, 2*k.lambda*g/float64(n), y, m.c, dst)
	}
	parallelRows(n, d, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			for i := 0; i < d; i++ {
				e := 2*(m.diag[i]-1) - 2*k.lambda*m.diag[i]
				dst[r*d+i] += T(g * e / float64(n) * float64(y[r*d+i]))
			}
		}
	})
}

func newBarlowMats[T flt](n, d int, alloc func(i, n int) []T, diag []float64) *barlowMats[T] {
	m := &barlowMats[T]{gram: n <= d, diag: diag}
	if m.gram {
		m.ga, m.gb = alloc(0, n*n), alloc(1, n*n)
	} else {
		m.c = alloc(0, d*d)
	}
	return m
}

func (k barlowKernel) forward(in []buf) (buf, error) {
	n, d := in[0].shape[0], in[0].shape[1]
	m := newBarlowMats(n, d, func(_, n int) []float64 { return make([]float64, n) }, make([]float64, d))
	barlowForward(m, in[0].data, in[1].data, n, d)
	out := newBuf(tensor.ScalarShape(), in[0].dt)
	out.data[0] = k.loss(m.diag, m.sumSquares)
	return out, nil
}

func (k barlowKernel) backward(in []buf, _, grad buf, wrt int) (buf, error) {
	n, d := in[0].shape[0], in[0].shape[1]
	m := newBarlowMats(n, d, func(_, n int) []float64 { return make([]float64, n) }, make([]float64, d))
	barlowForward(m, in[0].data, in[1].data, n, d)
	dx := newBuf(in[wrt].shape, in[wrt].dt)
	barlowGrad(k, m, dx.data, in[wrt].data, in[1-wrt].data, n, d, wrt, grad.data[0])
	return dx, nil
}

// forward32 keeps its products in st for the two gradient ops.
func (k barlowKernel) forward32(st *state, dst []float32, in []arr) error {
	n, d := in[0].shape[0], in[0].shape[1]
	m := newBarlowMats(n, d, st.floats, st.zeros64(0, d))
	barlowForward(m, in[0].f, in[1].f, n, d)
	st.f64[1] = append(st.f64[1][:0], m.sumSquares)
	dst[0] = float32(k.loss(m.diag, m.sumSquares))
	st.cacheOf, st.cacheB = &in[0].f[0], &in[1].f[0]
	return nil
}

func (k barlowKernel) backward32(st *state, dst []float32, in []arr, _, grad arr, wrt int) error {
	n, d := in[0].shape[0], in[0].shape[1]
	var m *barlowMats[float32]
	if st.cached(in[0].f) && st.fwd.cacheB == &in[1].f[0] {
		f := st.fwd
		m = newBarlowMats(n, d, f.floats, f.f64[0][:d])
		m.sumSquares = f.f64[1][0]
	} else {
		m = newBarlowMats(n, d, st.floats, st.zeros64(0, d))
		barlowForward(m, in[0].f, in[1].f, n, d)
	}
	barlowGrad(k, m, dst, in[wrt].f, in[1-wrt].f, n, d, wrt, float64(grad.f[0]))
	return nil
}
