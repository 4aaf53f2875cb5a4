package gpu

import (
	"fmt"
	"math"

	"github.com/gossl/gossl/sslkit/gemm"
)

// Host is the Backend in plain Go on the CPU (GEMM through sslkit/gemm:
// OpenBLAS where present, else gonum). It is the reference every CUDA
// kernel is checked against, and the backend the executor's tests use.
type Host struct{}

// NewHost returns the CPU backend.
func NewHost() *Host { return &Host{} }

type hostMem []float32

func (m hostMem) size() int { return len(m) }

func (h *Host) Name() string { return "cpu" }

func (h *Host) Alloc(n int) (Slice, error) {
	if n < 0 {
		return Slice{}, fmt.Errorf("gpu: Alloc(%d)", n)
	}
	return Slice{mem: make(hostMem, n), n: n}, nil
}

func (h *Host) Free(Slice)   {}
func (h *Host) Sync() error  { return nil }
func (h *Host) Close() error { return nil }

// f returns the values of s, or an error if s is not host memory.
func (h *Host) f(s Slice) ([]float32, error) {
	m, ok := s.mem.(hostMem)
	if !ok {
		if s.mem == nil && s.n == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("gpu: a %T slice passed to the cpu backend", s.mem)
	}
	return m[s.off : s.off+s.n], nil
}

// fs resolves several slices at once.
func (h *Host) fs(ss ...Slice) ([][]float32, error) {
	out := make([][]float32, len(ss))
	for i, s := range ss {
		v, err := h.f(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (h *Host) Upload(dst Slice, src []float32) error {
	d, err := h.f(dst)
	if err != nil {
		return err
	}
	if len(src) != len(d) {
		return fmt.Errorf("gpu: Upload of %d values into %d", len(src), len(d))
	}
	copy(d, src)
	return nil
}

func (h *Host) Download(dst []float32, src Slice) error {
	s, err := h.f(src)
	if err != nil {
		return err
	}
	if len(s) != len(dst) {
		return fmt.Errorf("gpu: Download of %d values into %d", len(s), len(dst))
	}
	copy(dst, s)
	return nil
}

func (h *Host) Fill(dst Slice, v float32) error {
	d, err := h.f(dst)
	if err != nil {
		return err
	}
	for i := range d {
		d[i] = v
	}
	return nil
}

func (h *Host) Copy(dst, src Slice) error {
	v, err := h.fs(dst, src)
	if err != nil {
		return err
	}
	if len(v[0]) != len(v[1]) {
		return fmt.Errorf("gpu: Copy of %d values into %d", len(v[1]), len(v[0]))
	}
	copy(v[0], v[1])
	return nil
}

func (h *Host) Gemm(tA, tB bool, m, n, k int, alpha float32, a, b Slice, beta float32, c Slice) error {
	v, err := h.fs(a, b, c)
	if err != nil {
		return err
	}
	if err := gemmSizes(m, n, k, a, b, c); err != nil {
		return err
	}
	if m == 0 || n == 0 {
		return nil
	}
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	if k == 0 {
		for i := range v[2][:m*n] {
			v[2][i] *= beta
		}
		return nil
	}
	gemm.Sgemm(tA, tB, m, n, k, alpha, v[0], lda, v[1], ldb, beta, v[2], n)
	return nil
}

func gemmSizes(m, n, k int, a, b, c Slice) error {
	if m < 0 || n < 0 || k < 0 {
		return fmt.Errorf("gpu: Gemm(m=%d, n=%d, k=%d)", m, n, k)
	}
	if a.n < m*k || b.n < k*n || c.n < m*n {
		return fmt.Errorf("gpu: Gemm %d×%d×%d with operands of %d, %d and %d values", m, n, k, a.n, b.n, c.n)
	}
	return nil
}

// hostUnary is the CPU twin of unary_f in kernels.cu.
func hostUnary(op UnaryOp, x float32) float32 {
	d := float64(x)
	switch op {
	case Abs:
		return float32(math.Abs(d))
	case Sign:
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	case Ceil:
		return float32(math.Ceil(d))
	case Floor:
		return float32(math.Floor(d))
	case Sin:
		return float32(math.Sin(d))
	case Cos:
		return float32(math.Cos(d))
	case Exp:
		return float32(math.Exp(d))
	case Ln:
		return float32(math.Log(d))
	case Log2:
		return float32(math.Log2(d))
	case Neg:
		return -x
	case Square:
		return x * x
	case Sqrt:
		return float32(math.Sqrt(d))
	case Inv:
		return 1 / x
	case InvSqrt:
		return float32(1 / math.Sqrt(d))
	case Cube:
		return x * x * x
	case Tanh:
		return float32(math.Tanh(d))
	case Sigmoid:
		return float32(1 / (1 + math.Exp(-d)))
	case Log1p:
		return float32(math.Log1p(d))
	case Expm1:
		return float32(math.Expm1(d))
	case Softplus:
		if x > 20 {
			return x
		}
		return float32(math.Log1p(math.Exp(d)))
	case Relu:
		if x > 0 {
			return x
		}
		return 0
	}
	return float32(math.NaN())
}

func hostBinary(op BinaryOp, a, b float32) float32 {
	t := func(c bool) float32 {
		if c {
			return 1
		}
		return 0
	}
	switch op {
	case Add:
		return a + b
	case Sub:
		return a - b
	case Mul:
		return a * b
	case Div:
		return a / b
	case Pow:
		return float32(math.Pow(float64(a), float64(b)))
	case Lt:
		return t(a < b)
	case Gt:
		return t(a > b)
	case Le:
		return t(a <= b)
	case Ge:
		return t(a >= b)
	case Eq:
		return t(a == b)
	case Ne:
		return t(a != b)
	case Max:
		return float32(math.Max(float64(a), float64(b)))
	case Min:
		return float32(math.Min(float64(a), float64(b)))
	case First:
		return a
	}
	return float32(math.NaN())
}

func (h *Host) Unary(op UnaryOp, y, x Slice) error {
	if op < 0 || op >= numUnary {
		return fmt.Errorf("gpu: unknown %v", op)
	}
	v, err := h.fs(y, x)
	if err != nil {
		return err
	}
	if err := same("Unary "+op.String(), y, x); err != nil {
		return err
	}
	for i, xi := range v[1] {
		v[0][i] = hostUnary(op, xi)
	}
	return nil
}

func (h *Host) Binary(op BinaryOp, y, a, b Slice, s Strided) error {
	if op < 0 || op >= numBinary {
		return fmt.Errorf("gpu: unknown %v", op)
	}
	if err := s.check(a.n, b.n, op != First); err != nil {
		return err
	}
	if err := need("Binary "+op.String()+" output", y, s.size()); err != nil {
		return err
	}
	v, err := h.fs(y, a, b)
	if err != nil {
		return err
	}
	s = s.collapse(op != First) // the same index space as the CUDA kernel's
	n, rank := s.size(), len(s.Shape)
	idx := make([]int, rank)
	ia, ib := 0, 0
	for i := 0; i < n; i++ {
		bv := float32(0)
		if op != First {
			bv = v[2][ib]
		}
		v[0][i] = hostBinary(op, v[1][ia], bv)
		// odometer increment of idx, keeping ia and ib in step
		for d := rank - 1; d >= 0; d-- {
			idx[d]++
			ia += s.StrideA[d]
			if op != First {
				ib += s.StrideB[d]
			}
			if idx[d] < s.Shape[d] {
				break
			}
			ia -= s.StrideA[d] * s.Shape[d]
			if op != First {
				ib -= s.StrideB[d] * s.Shape[d]
			}
			idx[d] = 0
		}
	}
	return nil
}

func (h *Host) Reduce(op ReduceOp, y, x Slice, outer, n, inner int) error {
	if outer < 0 || n < 1 || inner < 1 {
		return fmt.Errorf("gpu: Reduce over (%d, %d, %d)", outer, n, inner)
	}
	if err := need("Reduce input", x, outer*n*inner); err != nil {
		return err
	}
	if err := need("Reduce output", y, outer*inner); err != nil {
		return err
	}
	v, err := h.fs(y, x)
	if err != nil {
		return err
	}
	for o := 0; o < outer; o++ {
		for k := 0; k < inner; k++ {
			acc := 0.0
			if op == Maximum {
				acc = math.Inf(-1)
			}
			for j := 0; j < n; j++ {
				xv := float64(v[1][(o*n+j)*inner+k])
				if op == Sum {
					acc += xv
				} else if xv > acc {
					acc = xv
				}
			}
			v[0][o*inner+k] = float32(acc)
		}
	}
	return nil
}

func (h *Host) Softmax(y, x Slice, rows, cols int) error {
	if err := need("Softmax input", x, rows*cols); err != nil {
		return err
	}
	if err := need("Softmax output", y, rows*cols); err != nil {
		return err
	}
	v, err := h.fs(y, x)
	if err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		xr, yr := v[1][r*cols:(r+1)*cols], v[0][r*cols:(r+1)*cols]
		m := math.Inf(-1)
		for _, e := range xr {
			m = math.Max(m, float64(e))
		}
		s := 0.0
		for _, e := range xr {
			s += math.Exp(float64(e) - m)
		}
		for j, e := range xr {
			yr[j] = float32(math.Exp(float64(e)-m) / s)
		}
	}
	return nil
}

func (h *Host) SoftmaxGrad(dx, y, dy Slice, rows, cols int) error {
	for _, s := range []Slice{dx, y, dy} {
		if err := need("SoftmaxGrad operand", s, rows*cols); err != nil {
			return err
		}
	}
	v, err := h.fs(dx, y, dy)
	if err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		o := r * cols
		s := 0.0
		for j := 0; j < cols; j++ {
			s += float64(v[2][o+j]) * float64(v[1][o+j])
		}
		for j := 0; j < cols; j++ {
			v[0][o+j] = float32(float64(v[1][o+j]) * (float64(v[2][o+j]) - s))
		}
	}
	return nil
}

func (h *Host) Im2Col(col, x Slice, g ConvGeom) error {
	if err := g.valid(); err != nil {
		return err
	}
	if err := need("Im2Col input", x, g.N*g.C*g.H*g.W); err != nil {
		return err
	}
	if err := need("Im2Col output", col, g.ColSize()); err != nil {
		return err
	}
	v, err := h.fs(col, x)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	i := 0
	for n := 0; n < g.N; n++ {
		for r := 0; r < oh; r++ {
			for q := 0; q < ow; q++ {
				for c := 0; c < g.C; c++ {
					for a := 0; a < g.KH; a++ {
						ih := r*g.StrideH - g.PadH + a*g.DilH
						for b := 0; b < g.KW; b++ {
							iw := q*g.StrideW - g.PadW + b*g.DilW
							val := float32(0)
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								val = v[1][((n*g.C+c)*g.H+ih)*g.W+iw]
							}
							v[0][i] = val
							i++
						}
					}
				}
			}
		}
	}
	return nil
}

func (h *Host) Col2Im(dx, col Slice, g ConvGeom) error {
	if err := g.valid(); err != nil {
		return err
	}
	if err := need("Col2Im output", dx, g.N*g.C*g.H*g.W); err != nil {
		return err
	}
	if err := need("Col2Im input", col, g.ColSize()); err != nil {
		return err
	}
	v, err := h.fs(dx, col)
	if err != nil {
		return err
	}
	d := v[0][:g.N*g.C*g.H*g.W]
	clear(d)
	oh, ow := g.Out()
	i := 0
	for n := 0; n < g.N; n++ {
		for r := 0; r < oh; r++ {
			for q := 0; q < ow; q++ {
				for c := 0; c < g.C; c++ {
					for a := 0; a < g.KH; a++ {
						ih := r*g.StrideH - g.PadH + a*g.DilH
						for b := 0; b < g.KW; b++ {
							iw := q*g.StrideW - g.PadW + b*g.DilW
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								d[((n*g.C+c)*g.H+ih)*g.W+iw] += v[1][i]
							}
							i++
						}
					}
				}
			}
		}
	}
	return nil
}

func bnSizes(n, c, hw int, big []Slice, small []Slice) error {
	if n < 1 || c < 1 || hw < 1 {
		return fmt.Errorf("gpu: batch norm over (%d, %d, %d)", n, c, hw)
	}
	for _, s := range big {
		if err := need("batch-norm tensor", s, n*c*hw); err != nil {
			return err
		}
	}
	for _, s := range small {
		if err := need("batch-norm per-channel vector", s, c); err != nil {
			return err
		}
	}
	return nil
}

func (h *Host) BatchNorm(y, mean, invStd, x, gamma, beta Slice, n, c, hw int, eps float32) error {
	if err := bnSizes(n, c, hw, []Slice{y, x}, []Slice{mean, invStd, gamma, beta}); err != nil {
		return err
	}
	v, err := h.fs(y, mean, invStd, x, gamma, beta)
	if err != nil {
		return err
	}
	m := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		s := 0.0
		for i := 0; i < n; i++ {
			for _, e := range v[3][(i*c+ch)*hw : (i*c+ch+1)*hw] {
				s += float64(e)
			}
		}
		mu := s / m
		q := 0.0
		for i := 0; i < n; i++ {
			for _, e := range v[3][(i*c+ch)*hw : (i*c+ch+1)*hw] {
				q += (float64(e) - mu) * (float64(e) - mu)
			}
		}
		is := 1 / math.Sqrt(q/m+float64(eps))
		v[1][ch], v[2][ch] = float32(mu), float32(is)
		for i := 0; i < n; i++ {
			o := (i*c + ch) * hw
			for k := 0; k < hw; k++ {
				v[0][o+k] = float32((float64(v[3][o+k])-mu)*is*float64(v[4][ch]) + float64(v[5][ch]))
			}
		}
	}
	return nil
}

func (h *Host) BatchNormGrad(dx, dGamma, dBeta, dy, x, mean, invStd, gamma Slice, n, c, hw int) error {
	if err := bnSizes(n, c, hw, []Slice{dx, dy, x}, []Slice{dGamma, dBeta, mean, invStd, gamma}); err != nil {
		return err
	}
	v, err := h.fs(dx, dGamma, dBeta, dy, x, mean, invStd, gamma)
	if err != nil {
		return err
	}
	m := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		mu, is := float64(v[5][ch]), float64(v[6][ch])
		sb, sg := 0.0, 0.0
		for i := 0; i < n; i++ {
			o := (i*c + ch) * hw
			for k := 0; k < hw; k++ {
				d := float64(v[3][o+k])
				sb += d
				sg += d * (float64(v[4][o+k]) - mu) * is
			}
		}
		v[1][ch], v[2][ch] = float32(sg), float32(sb)
		scale := float64(v[7][ch]) * is / m
		for i := 0; i < n; i++ {
			o := (i*c + ch) * hw
			for k := 0; k < hw; k++ {
				xhat := (float64(v[4][o+k]) - mu) * is
				v[0][o+k] = float32(scale * (m*float64(v[3][o+k]) - sb - xhat*sg))
			}
		}
	}
	return nil
}

func poolSizes(g PoolGeom, in []Slice, out []Slice) error {
	if err := g.valid(); err != nil {
		return err
	}
	oh, ow := g.Out()
	for _, s := range in {
		if err := need("pooling input-sized operand", s, g.N*g.C*g.H*g.W); err != nil {
			return err
		}
	}
	for _, s := range out {
		if err := need("pooling output-sized operand", s, g.N*g.C*oh*ow); err != nil {
			return err
		}
	}
	return nil
}

func (h *Host) MaxPool(y, argmax, x Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{x}, []Slice{y, argmax}); err != nil {
		return err
	}
	v, err := h.fs(y, argmax, x)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	for p := 0; p < g.N*g.C; p++ {
		xp := v[2][p*g.H*g.W:]
		for r := 0; r < oh; r++ {
			for q := 0; q < ow; q++ {
				best, at := float32(math.Inf(-1)), -1
				for a := 0; a < g.KH; a++ {
					ih := r*g.StrideH - g.PadH + a
					if ih < 0 || ih >= g.H {
						continue
					}
					for b := 0; b < g.KW; b++ {
						iw := q*g.StrideW - g.PadW + b
						if iw < 0 || iw >= g.W {
							continue
						}
						if e := xp[ih*g.W+iw]; e > best || at < 0 {
							best, at = e, ih*g.W+iw
						}
					}
				}
				o := (p*oh+r)*ow + q
				v[0][o], v[1][o] = best, float32(at)
			}
		}
	}
	return nil
}

func (h *Host) MaxPoolGrad(dx, dy, argmax Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{dx}, []Slice{dy, argmax}); err != nil {
		return err
	}
	v, err := h.fs(dx, dy, argmax)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	clear(v[0][:g.N*g.C*g.H*g.W])
	for p := 0; p < g.N*g.C; p++ {
		for o := 0; o < oh*ow; o++ {
			at := int(v[2][p*oh*ow+o])
			if at < 0 || at >= g.H*g.W {
				return fmt.Errorf("gpu: MaxPoolGrad: argmax %d outside the %d×%d plane", at, g.H, g.W)
			}
			v[0][p*g.H*g.W+at] += v[1][p*oh*ow+o]
		}
	}
	return nil
}

func (h *Host) AvgPool(y, x Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{x}, []Slice{y}); err != nil {
		return err
	}
	v, err := h.fs(y, x)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	inv := 1 / float32(g.KH*g.KW)
	for p := 0; p < g.N*g.C; p++ {
		xp := v[1][p*g.H*g.W:]
		for r := 0; r < oh; r++ {
			for q := 0; q < ow; q++ {
				s := float32(0)
				for a := 0; a < g.KH; a++ {
					ih := r*g.StrideH - g.PadH + a
					if ih < 0 || ih >= g.H {
						continue
					}
					for b := 0; b < g.KW; b++ {
						if iw := q*g.StrideW - g.PadW + b; iw >= 0 && iw < g.W {
							s += xp[ih*g.W+iw]
						}
					}
				}
				v[0][(p*oh+r)*ow+q] = s * inv
			}
		}
	}
	return nil
}

func (h *Host) AvgPoolGrad(dx, dy Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{dx}, []Slice{dy}); err != nil {
		return err
	}
	v, err := h.fs(dx, dy)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	inv := 1 / float32(g.KH*g.KW)
	clear(v[0][:g.N*g.C*g.H*g.W])
	for p := 0; p < g.N*g.C; p++ {
		dp := v[0][p*g.H*g.W:]
		for r := 0; r < oh; r++ {
			for q := 0; q < ow; q++ {
				d := v[1][(p*oh+r)*ow+q] * inv
				for a := 0; a < g.KH; a++ {
					ih := r*g.StrideH - g.PadH + a
					if ih < 0 || ih >= g.H {
						continue
					}
					for b := 0; b < g.KW; b++ {
						if iw := q*g.StrideW - g.PadW + b; iw >= 0 && iw < g.W {
							dp[ih*g.W+iw] += d
						}
					}
				}
			}
		}
	}
	return nil
}

func (h *Host) SGD(w, g, vel Slice, lr, momentum, wd float32) error {
	if err := same("SGD", w, g, vel); err != nil {
		return err
	}
	v, err := h.fs(w, g, vel)
	if err != nil {
		return err
	}
	for i := range v[0] {
		vi := momentum*v[2][i] + v[1][i] + wd*v[0][i]
		v[2][i] = vi
		v[0][i] -= lr * vi
	}
	return nil
}

func (h *Host) Adam(w, g, m, vel Slice, lr, b1, b2, eps, wd float32, t int) error {
	if err := same("Adam", w, g, m, vel); err != nil {
		return err
	}
	if t < 1 {
		return fmt.Errorf("gpu: Adam step %d, want ≥ 1", t)
	}
	v, err := h.fs(w, g, m, vel)
	if err != nil {
		return err
	}
	c1, c2 := adamCorrections(b1, b2, t)
	for i := range v[0] {
		gi := v[1][i]
		mi := b1*v[2][i] + (1-b1)*gi
		vi := b2*v[3][i] + (1-b2)*gi*gi
		v[2][i], v[3][i] = mi, vi
		v[0][i] -= lr * ((mi/c1)/(float32(math.Sqrt(float64(vi/c2)))+eps) + wd*v[0][i])
	}
	return nil
}

func adamCorrections(b1, b2 float32, t int) (c1, c2 float32) {
	return float32(1 - math.Pow(float64(b1), float64(t))), float32(1 - math.Pow(float64(b2), float64(t)))
}
