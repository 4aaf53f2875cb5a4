package nn

import (
	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/nn/ops"
)

// Winograd F(2×2, 3×3) for the dense 3×3 convolutions with stride 1 and
// dilation 1 (most of a ResNet's): each 2×2 block of outputs comes from a
// 4×4 tile of input as
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// with the fixed matrices below, so the 36 multiplications of the direct
// form become 16. Summed over channels, each of the 16 positions ξ of the
// 4×4 transformed tile is one GEMM, M_ξ = U_ξ·V_ξ: filters U_ξ (O × C) by
// tiles V_ξ (C × tiles). The GEMMs do 16/36 of im2col's multiplications,
// and the transformed tiles (4 floats per input pixel) are smaller than
// im2col's columns (9 per pixel).
//
// The backward ops are the exact adjoints of this computation, not
// Winograd forms of their own: with dM = A dY Aᵀ per tile,
//
//	dV_ξ = U_ξᵀ·dM_ξ,  dx = Σ_tiles B dV Bᵀ     (tiles overlap by 2 pixels)
//	dU_ξ = dM_ξ·V_ξᵀ,  dW = Gᵀ dU G.
//
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½;
// 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1]. The transforms only add, subtract and
// halve, so F(2×2, 3×3) loses little float32 precision; the tests hold it
// to the tolerance the im2col kernels meet against the definition.

// winoMinChannels: below this many input or output channels the
// transforms (whose cost per tile does not grow with the channels) weigh
// too much against the GEMMs (K = C, M = O); the RGB stem keeps im2col.
// ResNet-18's first-stage convolution (64 → 64 channels, 32×32, batch 128;
// forward and both gradients, BenchmarkResNet18Convs, five alternated runs
// at load 4): im2col 460–547 ms, Winograd 327–467 ms.
const winoMinChannels = 64

// winoBudget bounds one chunk's transformed tiles and products, in floats:
// 16·(C+O)·tiles.
var winoBudget = 1 << 20

// winograd reports whether g takes the Winograd path.
func (g convGeom) winograd() bool {
	return g.k == 3 && g.s == 1 && g.d == 1 && g.c >= winoMinChannels && g.out >= winoMinChannels
}

// winoTiles returns the tile grid (th × tw tiles of 2×2 outputs) of one
// image.
func (g convGeom) winoTiles() (th, tw int) { return (g.ho + 1) / 2, (g.wo + 1) / 2 }

// winoChunk is how many images share one round of GEMMs.
func (g convGeom) winoChunk() int {
	th, tw := g.winoTiles()
	return min(max(winoBudget/(16*(g.c+g.out)*th*tw), 1), g.n)
}

// winoFilters writes U = G g Gᵀ for every (o, c) into u, laid out as 16
// matrices O × C.
func (g convGeom) winoFilters(w, u []float32) {
	oc := g.out * g.c
	ops.ParallelFor(g.out, g.c*40, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for c := 0; c < g.c; c++ {
				f := w[(o*g.c+c)*9:][:9]
				var t [4][3]float32 // G g
				for j := 0; j < 3; j++ {
					a, b, d := f[j], f[3+j], f[6+j]
					t[0][j] = a
					t[1][j] = 0.5 * (a + b + d)
					t[2][j] = 0.5 * (a - b + d)
					t[3][j] = d
				}
				at := o*g.c + c
				for i := 0; i < 4; i++ {
					a, b, d := t[i][0], t[i][1], t[i][2]
					u[(i*4+0)*oc+at] = a
					u[(i*4+1)*oc+at] = 0.5 * (a + b + d)
					u[(i*4+2)*oc+at] = 0.5 * (a - b + d)
					u[(i*4+3)*oc+at] = d
				}
			}
		}
	})
}

// winoFilterGrad writes dW = Gᵀ dU G for every (o, c) from du (16
// matrices O × C).
func (g convGeom) winoFilterGrad(du, dw []float32) {
	oc := g.out * g.c
	ops.ParallelFor(g.out, g.c*40, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for c := 0; c < g.c; c++ {
				at := o*g.c + c
				var t [3][4]float32 // Gᵀ dU
				for j := 0; j < 4; j++ {
					u0, u1, u2, u3 := du[j*oc+at], du[(4+j)*oc+at], du[(8+j)*oc+at], du[(12+j)*oc+at]
					t[0][j] = u0 + 0.5*(u1+u2)
					t[1][j] = 0.5 * (u1 - u2)
					t[2][j] = 0.5*(u1+u2) + u3
				}
				f := dw[at*9:][:9]
				for i := 0; i < 3; i++ {
					u0, u1, u2, u3 := t[i][0], t[i][1], t[i][2], t[i][3]
					f[i*3+0] = u0 + 0.5*(u1+u2)
					f[i*3+1] = 0.5 * (u1 - u2)
					f[i*3+2] = 0.5*(u1+u2) + u3
				}
			}
		}
	})
}

// The four tile transforms work a row of tiles at a time, reading or
// writing each of the 16 transformed matrices as one contiguous run of tw
// floats (the matrices lie winoPad floats off a power-of-two distance, so
// the 16 runs do not share cache sets), and split each 2-D transform into
// a vertical and a horizontal pass: neighbouring tiles overlap by two
// pixels, and the pass across whole rows is done once per pixel instead of
// once per tile.

// rowsOf returns the four rows [r0, r0+4) of plane src (h × w) for a row
// of tiles, nil where a row falls in the padding.
func (g convGeom) rowsOf(src []float32, r0 int) (rows [4][]float32) {
	for a := range rows {
		if r := r0 + a; r >= 0 && r < g.h {
			rows[a] = src[r*g.w : (r+1)*g.w]
		}
	}
	return rows
}

// padRows returns four rows of wp floats for the vertical passes, on the
// stack where they fit.
func padRows(stack []float32, wp int) (r [4][]float32) {
	buf := stack
	if 4*wp > len(buf) {
		buf = make([]float32, 4*wp)
	}
	for i := range r {
		r[i] = buf[i*wp : (i+1)*wp]
	}
	return r
}

// winoInput writes V = Bᵀ d B for every tile of images n0 … n0+m−1 of x
// into v (16 matrices C × m·th·tw, ms apart; column img·th·tw + ti·tw +
// tj).
func (g convGeom) winoInput(x, v []float32, n0, m, ms int) {
	th, tw := g.winoTiles()
	tpi := th * tw
	nt := m * tpi
	wp := 2*tw + 2 // padded columns a row of tiles spans
	ops.ParallelFor(m*g.c, tpi*48, func(lo, hi int) {
		var stack [4 * 130]float32
		t := padRows(stack[:], wp)
		for pl := lo; pl < hi; pl++ {
			img, c := pl/g.c, pl%g.c
			src := x[(n0+img)*g.inSize+c*g.h*g.w:][:g.h*g.w]
			base := c*nt + img*tpi
			for ti := 0; ti < th; ti++ {
				d := g.rowsOf(src, 2*ti-g.p)
				// Bᵀ d: rows d0−d2, d1+d2, d2−d1, d1−d3, into the
				// padded rows t (input column j at j+p).
				u0, u1, u2, u3 := t[0][g.p:][:g.w], t[1][g.p:][:g.w], t[2][g.p:][:g.w], t[3][g.p:][:g.w]
				if d[0] != nil && d[1] != nil && d[2] != nil && d[3] != nil {
					d0, d1, d2, d3 := d[0][:g.w], d[1][:g.w], d[2][:g.w], d[3][:g.w]
					for j := range u0 {
						a, b, c, e := d0[j], d1[j], d2[j], d3[j]
						u0[j], u1[j], u2[j], u3[j] = a-c, b+c, c-b, b-e
					}
				} else {
					for j := range u0 {
						var a, b, c, e float32
						if d[0] != nil {
							a = d[0][j]
						}
						if d[1] != nil {
							b = d[1][j]
						}
						if d[2] != nil {
							c = d[2][j]
						}
						if d[3] != nil {
							e = d[3][j]
						}
						u0[j], u1[j], u2[j], u3[j] = a-c, b+c, c-b, b-e
					}
				}
				for i := range t {
					clear(t[i][:g.p])
					clear(t[i][g.p+g.w:])
				}
				// then the same across columns, tile by tile.
				at := base + ti*tw
				for i, tr := range t {
					o0, o1, o2, o3 := v[(4*i)*ms+at:][:tw], v[(4*i+1)*ms+at:][:tw], v[(4*i+2)*ms+at:][:tw], v[(4*i+3)*ms+at:][:tw]
					tr = tr[:2*tw+2]
					for q := range o0 {
						a, b, c, e := tr[2*q], tr[2*q+1], tr[2*q+2], tr[2*q+3]
						o0[q], o1[q], o2[q], o3[q] = a-c, b+c, c-b, b-e
					}
				}
			}
		}
	})
}

// winoOutput writes Y = Aᵀ M A of every tile from mm (16 matrices O ×
// m·th·tw, ms apart) into images n0 … n0+m−1 of y, dropping the outputs
// past an odd edge.
func (g convGeom) winoOutput(mm, y []float32, n0, m, ms int) {
	th, tw := g.winoTiles()
	tpi := th * tw
	nt := m * tpi
	ops.ParallelFor(m*g.out, tpi*40, func(lo, hi int) {
		var stack [4 * 130]float32
		h := padRows(stack[:], 2*tw)
		for pl := lo; pl < hi; pl++ {
			img, o := pl/g.out, pl%g.out
			dst := y[(n0+img)*g.ySize+o*g.cols:][:g.cols]
			base := o*nt + img*tpi
			for ti := 0; ti < th; ti++ {
				at := base + ti*tw
				// M A across each row i: m0+m1+m2, m1−m2−m3, into h[i].
				for i, hr := range h {
					s0, s1, s2, s3 := mm[(4*i)*ms+at:][:tw], mm[(4*i+1)*ms+at:][:tw], mm[(4*i+2)*ms+at:][:tw], mm[(4*i+3)*ms+at:][:tw]
					hr = hr[:2*tw]
					for q := range s0 {
						a, b, c, e := s0[q], s1[q], s2[q], s3[q]
						hr[2*q], hr[2*q+1] = a+b+c, b-c-e
					}
				}
				// then Aᵀ down the rows.
				r := 2 * ti
				h0, h1, h2, h3 := h[0][:g.wo], h[1][:g.wo], h[2][:g.wo], h[3][:g.wo]
				row := dst[r*g.wo:][:g.wo]
				for j := range row {
					row[j] = h0[j] + h1[j] + h2[j]
				}
				if r+1 < g.ho {
					row := dst[(r+1)*g.wo:][:g.wo]
					for j := range row {
						row[j] = h1[j] - h2[j] - h3[j]
					}
				}
			}
		}
	})
}

// winoOutputGrad writes dM = A dY Aᵀ of every tile of images n0 … of dy
// into dm (16 matrices O × m·th·tw, ms apart); outputs past an odd edge
// count as 0.
func (g convGeom) winoOutputGrad(dy, dm []float32, n0, m, ms int) {
	th, tw := g.winoTiles()
	tpi := th * tw
	nt := m * tpi
	ops.ParallelFor(m*g.out, tpi*40, func(lo, hi int) {
		var stack [4 * 130]float32
		t := padRows(stack[:], 2*tw)
		for pl := lo; pl < hi; pl++ {
			img, o := pl/g.out, pl%g.out
			src := dy[(n0+img)*g.ySize+o*g.cols:][:g.cols]
			base := o*nt + img*tpi
			for ti := 0; ti < th; ti++ {
				// A e down the two rows: e0, e0+e1, e0−e1, −e1, into t
				// (zero past an odd edge).
				r := 2 * ti
				e0 := src[r*g.wo:][:g.wo]
				t0, t1, t2, t3 := t[0][:g.wo], t[1][:g.wo], t[2][:g.wo], t[3][:g.wo]
				if r+1 < g.ho {
					e1 := src[(r+1)*g.wo:][:g.wo]
					for j, a := range e0 {
						b := e1[j]
						t0[j], t1[j], t2[j], t3[j] = a, a+b, a-b, -b
					}
				} else {
					for j, a := range e0 {
						t0[j], t1[j], t2[j], t3[j] = a, a, a, 0
					}
				}
				if g.wo%2 == 1 {
					for i := range t {
						t[i][g.wo] = 0
					}
				}
				// then the same across columns, tile by tile.
				at := base + ti*tw
				for i, tr := range t {
					o0, o1, o2, o3 := dm[(4*i)*ms+at:][:tw], dm[(4*i+1)*ms+at:][:tw], dm[(4*i+2)*ms+at:][:tw], dm[(4*i+3)*ms+at:][:tw]
					tr = tr[:2*tw]
					for q := range o0 {
						a, b := tr[2*q], tr[2*q+1]
						o0[q], o1[q], o2[q], o3[q] = a, a+b, a-b, -b
					}
				}
			}
		}
	})
}

// winoInputGrad adds B dV Bᵀ of every tile from dv (16 matrices C ×
// m·th·tw, ms apart) into images n0 … of dx, dropping what falls in the
// padding. Each (image, channel) plane is one worker's, since neighbouring
// tiles overlap.
func (g convGeom) winoInputGrad(dv, dx []float32, n0, m, ms int) {
	th, tw := g.winoTiles()
	tpi := th * tw
	nt := m * tpi
	wp := 2*tw + 2
	ops.ParallelFor(m*g.c, tpi*48, func(lo, hi int) {
		var stack [4 * 130]float32
		acc := padRows(stack[:], wp)
		for pl := lo; pl < hi; pl++ {
			img, c := pl/g.c, pl%g.c
			dst := dx[(n0+img)*g.inSize+c*g.h*g.w:][:g.h*g.w]
			base := c*nt + img*tpi
			for ti := 0; ti < th; ti++ {
				// dV Bᵀ across each row i: v0, v1−v2+v3, v1+v2−v0, −v3,
				// summed over the overlapping tiles into the padded row
				// acc[i].
				at := base + ti*tw
				for i, ai := range acc {
					clear(ai)
					s0, s1, s2, s3 := dv[(4*i)*ms+at:][:tw], dv[(4*i+1)*ms+at:][:tw], dv[(4*i+2)*ms+at:][:tw], dv[(4*i+3)*ms+at:][:tw]
					ai = ai[:2*tw+2]
					for q := range s0 {
						a, b, c, e := s0[q], s1[q], s2[q], s3[q]
						ai[2*q] += a
						ai[2*q+1] += b - c + e
						ai[2*q+2] += b + c - a
						ai[2*q+3] = -e
					}
				}
				// then B down the rows, into the rows of dx in range.
				a0, a1, a2, a3 := acc[0][g.p:][:g.w], acc[1][g.p:][:g.w], acc[2][g.p:][:g.w], acc[3][g.p:][:g.w]
				rows := g.rowsOf(dst, 2*ti-g.p)
				if r := rows[0]; r != nil {
					for j := range r {
						r[j] += a0[j]
					}
				}
				if r := rows[1]; r != nil {
					for j := range r {
						r[j] += a1[j] - a2[j] + a3[j]
					}
				}
				if r := rows[2]; r != nil {
					for j := range r {
						r[j] += a1[j] + a2[j] - a0[j]
					}
				}
				if r := rows[3]; r != nil {
					for j := range r {
						r[j] -= a3[j]
					}
				}
			}
		}
	})
}

// winoPad is added to the distance between two of the 16 transformed
// matrices, so that it is never a multiple of a large power of two, at
// which the 16 streams the transforms read and write would share cache
// sets.
const winoPad = 16

// winoChunks calls fn for each group of up to winoChunk() images (from n0,
// k of them, nt tiles) with scratch for the group's transformed input (16
// matrices C × nt, vs apart) and transformed output (16 matrices O × nt,
// ms apart).
func (g convGeom) winoChunks(fn func(n0, k, nt int, v []float32, vs int, mm []float32, ms int)) {
	th, tw := g.winoTiles()
	m := g.winoChunk()
	vBuf := getScratch(16 * (g.c*m*th*tw + winoPad))
	mBuf := getScratch(16 * (g.out*m*th*tw + winoPad))
	defer putScratch(vBuf)
	defer putScratch(mBuf)
	for n0 := 0; n0 < g.n; n0 += m {
		k := min(m, g.n-n0)
		nt := k * th * tw
		fn(n0, k, nt, vBuf, g.c*nt+winoPad, mBuf, g.out*nt+winoPad)
	}
}

// winoForward: y = W ⋆ x.
func (g convGeom) winoForward(x, w, y []float32) {
	u := getScratch(16 * g.out * g.c)
	defer putScratch(u)
	g.winoFilters(w, u)
	oc := g.out * g.c
	g.winoChunks(func(n0, k, nt int, v []float32, vs int, mm []float32, ms int) {
		g.winoInput(x, v, n0, k, vs)
		gemm.Each(16, func(xi int) {
			gemm.Sgemm(false, false, g.out, nt, g.c, 1, u[xi*oc:], g.c, v[xi*vs:], nt, 0, mm[xi*ms:], nt)
		})
		g.winoOutput(mm, y, n0, k, ms)
	})
}

// winoGradInput: dx = Wᵀ ⋆ dy, into dx that starts at zero.
func (g convGeom) winoGradInput(w, dy, dx []float32) {
	u := getScratch(16 * g.out * g.c)
	defer putScratch(u)
	g.winoFilters(w, u)
	oc := g.out * g.c
	g.winoChunks(func(n0, k, nt int, dv []float32, vs int, dm []float32, ms int) {
		g.winoOutputGrad(dy, dm, n0, k, ms)
		gemm.Each(16, func(xi int) {
			gemm.Sgemm(true, false, g.c, nt, g.out, 1, u[xi*oc:], g.c, dm[xi*ms:], nt, 0, dv[xi*vs:], nt)
		})
		g.winoInputGrad(dv, dx, n0, k, vs)
	})
}

// winoGradFilter: dW = Σ_images dy ⋆ x, overwriting dw.
func (g convGeom) winoGradFilter(x, dy, dw []float32) {
	du := getScratch(16 * g.out * g.c)
	defer putScratch(du)
	oc := g.out * g.c
	first := true
	g.winoChunks(func(n0, k, nt int, v []float32, vs int, dm []float32, ms int) {
		g.winoInput(x, v, n0, k, vs)
		g.winoOutputGrad(dy, dm, n0, k, ms)
		beta := float32(1)
		if first {
			beta, first = 0, false
		}
		gemm.Each(16, func(xi int) {
			gemm.Sgemm(false, true, g.out, g.c, nt, 1, dm[xi*ms:], nt, v[xi*vs:], nt, beta, du[xi*oc:], g.c)
		})
	})
	g.winoFilterGrad(du, dw)
}
