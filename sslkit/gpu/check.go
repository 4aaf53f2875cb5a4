package gpu

import (
	"fmt"
	"math"
	"math/rand"
)

// KernelCheck is the result of running one kernel on two backends.
type KernelCheck struct {
	Name string
	// MaxRelErr is the largest |got − want| / max(|want|, rms(want)) over
	// every output value.
	MaxRelErr float64
	Err       error // a kernel failed to run, or the sizes differ
}

// OK reports whether the kernel ran and agreed within tol.
func (c KernelCheck) OK(tol float64) bool { return c.Err == nil && c.MaxRelErr <= tol }

// kernelCase is one kernel call on random data: ins are read-only inputs,
// outs start with the given contents (in-place kernels update them).
type kernelCase struct {
	name string
	ins  [][]float32
	outs [][]float32
	run  func(b Backend, in, out []Slice) error
}

// CheckKernels runs every kernel of the Backend interface on the same
// random inputs on want (the reference, normally Host) and got, and
// compares every output. It covers each unary and binary op, GEMM in all
// four transpositions, both reduction paths, softmax, im2col/col2im,
// batch norm, pooling and the optimizer updates.
func CheckKernels(want, got Backend) []KernelCheck {
	var out []KernelCheck
	for _, c := range kernelCases(rand.New(rand.NewSource(12))) {
		out = append(out, runCase(c, want, got))
	}
	return out
}

func runCase(c kernelCase, want, got Backend) KernelCheck {
	r := KernelCheck{Name: c.name}
	results := make([][][]float32, 2)
	for bi, b := range []Backend{want, got} {
		var all []Slice
		upload := func(data []float32) (Slice, error) {
			s, err := b.Alloc(len(data))
			if err != nil {
				return s, err
			}
			all = append(all, s)
			return s, b.Upload(s, data)
		}
		in := make([]Slice, len(c.ins))
		outs := make([]Slice, len(c.outs))
		var err error
		for i, d := range c.ins {
			if in[i], err = upload(d); err != nil {
				break
			}
		}
		for i, d := range c.outs {
			if err != nil {
				break
			}
			outs[i], err = upload(d)
		}
		if err == nil {
			err = c.run(b, in, outs)
		}
		if err == nil {
			err = b.Sync()
		}
		for i, s := range outs {
			if err != nil {
				break
			}
			d := make([]float32, s.Len())
			err = b.Download(d, s)
			results[bi] = append(results[bi], d)
			_ = i
		}
		for _, s := range all {
			b.Free(s)
		}
		if err != nil {
			r.Err = fmt.Errorf("%s: %w", b.Name(), err)
			return r
		}
	}
	for i := range results[0] {
		w, g := results[0][i], results[1][i]
		rms := 0.0
		for _, v := range w {
			rms += float64(v) * float64(v)
		}
		rms = math.Sqrt(rms / float64(max(len(w), 1)))
		for j := range w {
			den := math.Max(math.Abs(float64(w[j])), rms)
			if den == 0 {
				den = 1
			}
			e := math.Abs(float64(g[j])-float64(w[j])) / den
			if math.IsNaN(e) || math.IsNaN(float64(g[j])) != math.IsNaN(float64(w[j])) {
				e = math.Inf(1)
			}
			r.MaxRelErr = math.Max(r.MaxRelErr, e)
		}
	}
	return r
}

func randn(rng *rand.Rand, n int, scale float64) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(rng.NormFloat64() * scale)
	}
	return d
}

func positive(rng *rand.Rand, n int) []float32 {
	d := randn(rng, n, 1)
	for i := range d {
		d[i] = float32(math.Abs(float64(d[i]))) + 0.1
	}
	return d
}

func kernelCases(rng *rand.Rand) []kernelCase {
	var cs []kernelCase
	const n = 10007 // not a multiple of the block size
	for op := UnaryOp(0); op < numUnary; op++ {
		x := randn(rng, n, 1.5)
		switch op {
		case Ln, Log2, Sqrt, InvSqrt, Inv, Log1p:
			x = positive(rng, n)
		}
		op := op
		cs = append(cs, kernelCase{name: "unary " + op.String(), ins: [][]float32{x}, outs: [][]float32{make([]float32, n)},
			run: func(b Backend, in, out []Slice) error { return b.Unary(op, out[0], in[0]) }})
	}
	for op := BinaryOp(0); op < numBinary; op++ {
		a, bb := randn(rng, n, 1), randn(rng, n, 1)
		if op == Pow {
			a = positive(rng, n)
		}
		if op == Div {
			bb = positive(rng, n)
		}
		if op == Eq || op == Ne {
			copy(bb[:n/2], a[:n/2]) // half equal, half not
		}
		op := op
		s := Strided{Shape: []int{n}, StrideA: []int{1}, StrideB: []int{1}}
		cs = append(cs, kernelCase{name: "binary " + op.String(), ins: [][]float32{a, bb}, outs: [][]float32{make([]float32, n)},
			run: func(b Backend, in, out []Slice) error { return b.Binary(op, out[0], in[0], in[1], s) }})
	}
	// broadcasting and a rank-4 permutation
	{
		a, sc := randn(rng, 6*5*4*3, 1), randn(rng, 1, 1)
		bcast := Strided{Shape: []int{6, 5, 4, 3}, StrideA: dense([]int{6, 5, 4, 3}), StrideB: []int{0, 0, 0, 0}}
		perm := Strided{Shape: []int{3, 6, 4, 5}, StrideA: []int{1, 60, 3, 12}}
		rows := Strided{Shape: []int{6, 20}, StrideA: []int{20, 1}, StrideB: []int{1, 0}}
		col := randn(rng, 6, 1)
		cs = append(cs,
			kernelCase{name: "binary ⊙ scalar", ins: [][]float32{a, sc}, outs: [][]float32{make([]float32, len(a))},
				run: func(b Backend, in, out []Slice) error { return b.Binary(Mul, out[0], in[0], in[1], bcast) }},
			kernelCase{name: "transpose (3,6,4,5)", ins: [][]float32{a}, outs: [][]float32{make([]float32, len(a))},
				run: func(b Backend, in, out []Slice) error { return b.Binary(First, out[0], in[0], in[0], perm) }},
			kernelCase{name: "binary + column broadcast", ins: [][]float32{a[:120], col}, outs: [][]float32{make([]float32, 120)},
				run: func(b Backend, in, out []Slice) error { return b.Binary(Add, out[0], in[0], in[1], rows) }})
	}
	for _, t := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		m, nn, k := 257, 129, 300
		tA, tB := t[0], t[1]
		a, bb, c := randn(rng, m*k, 1), randn(rng, k*nn, 1), randn(rng, m*nn, 1)
		cs = append(cs, kernelCase{name: fmt.Sprintf("gemm tA=%v tB=%v", tA, tB), ins: [][]float32{a, bb}, outs: [][]float32{c},
			run: func(b Backend, in, out []Slice) error {
				return b.Gemm(tA, tB, m, nn, k, 0.7, in[0], in[1], 0.3, out[0])
			}})
	}
	for _, op := range []ReduceOp{Sum, Maximum} {
		op := op
		name := map[ReduceOp]string{Sum: "sum", Maximum: "max"}[op]
		x := randn(rng, 300*1000, 1)
		cs = append(cs,
			kernelCase{name: "reduce rows " + name, ins: [][]float32{x}, outs: [][]float32{make([]float32, 300)},
				run: func(b Backend, in, out []Slice) error { return b.Reduce(op, out[0], in[0], 300, 1000, 1) }},
			kernelCase{name: "reduce cols " + name, ins: [][]float32{x[:7*50*33]}, outs: [][]float32{make([]float32, 7*33)},
				run: func(b Backend, in, out []Slice) error { return b.Reduce(op, out[0], in[0], 7, 50, 33) }},
			kernelCase{name: "reduce long columns " + name, ins: [][]float32{x[:2*1000*40]}, outs: [][]float32{make([]float32, 2*40)},
				run: func(b Backend, in, out []Slice) error { return b.Reduce(op, out[0], in[0], 2, 1000, 40) }},
			kernelCase{name: "reduce short rows " + name, ins: [][]float32{x[:999*300]}, outs: [][]float32{make([]float32, 999)},
				run: func(b Backend, in, out []Slice) error { return b.Reduce(op, out[0], in[0], 999, 300, 1) }},
			kernelCase{name: "reduce tiny rows " + name, ins: [][]float32{x[:5000*7]}, outs: [][]float32{make([]float32, 5000)},
				run: func(b Backend, in, out []Slice) error { return b.Reduce(op, out[0], in[0], 5000, 7, 1) }})
	}
	{
		rows, cols := 64, 1000
		x, dy := randn(rng, rows*cols, 3), randn(rng, rows*cols, 1)
		y := make([]float32, rows*cols)
		_ = NewHost().Softmax(Slice{mem: hostMem(y), n: len(y)}, Slice{mem: hostMem(x), n: len(x)}, rows, cols)
		cs = append(cs,
			kernelCase{name: "softmax", ins: [][]float32{x}, outs: [][]float32{make([]float32, rows*cols)},
				run: func(b Backend, in, out []Slice) error { return b.Softmax(out[0], in[0], rows, cols) }},
			kernelCase{name: "softmax grad", ins: [][]float32{y, dy}, outs: [][]float32{make([]float32, rows*cols)},
				run: func(b Backend, in, out []Slice) error { return b.SoftmaxGrad(out[0], in[0], in[1], rows, cols) }})
	}
	for _, g := range []ConvGeom{
		{N: 2, C: 3, H: 9, W: 11, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1},
		{N: 3, C: 4, H: 12, W: 10, KH: 3, KW: 2, PadH: 2, PadW: 0, StrideH: 1, StrideW: 1, DilH: 2, DilW: 1},
		{N: 4, C: 64, H: 8, W: 8, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1},
	} {
		g := g
		x, col := randn(rng, g.N*g.C*g.H*g.W, 1), randn(rng, g.ColSize(), 1)
		cs = append(cs,
			kernelCase{name: fmt.Sprintf("im2col %dx%d s%d p%d d%d", g.KH, g.KW, g.StrideH, g.PadH, g.DilH), ins: [][]float32{x},
				outs: [][]float32{make([]float32, g.ColSize())},
				run:  func(b Backend, in, out []Slice) error { return b.Im2Col(out[0], in[0], g) }},
			kernelCase{name: fmt.Sprintf("col2im %dx%d s%d p%d d%d", g.KH, g.KW, g.StrideH, g.PadH, g.DilH), ins: [][]float32{col},
				outs: [][]float32{randn(rng, len(x), 1)}, // overwritten
				run:  func(b Backend, in, out []Slice) error { return b.Col2Im(out[0], in[0], g) }})
	}
	{
		nb, c, hw := 8, 16, 49
		x, gamma, beta, dy := randn(rng, nb*c*hw, 2), randn(rng, c, 1), randn(rng, c, 1), randn(rng, nb*c*hw, 1)
		for i := range x {
			x[i] += 0.5 // a mean away from zero
		}
		mean, inv := make([]float32, c), make([]float32, c)
		y := make([]float32, len(x))
		hs := func(d []float32) Slice { return Slice{mem: hostMem(d), n: len(d)} }
		_ = NewHost().BatchNorm(hs(y), hs(mean), hs(inv), hs(x), hs(gamma), hs(beta), nb, c, hw, 1e-5)
		cs = append(cs,
			kernelCase{name: "batch norm", ins: [][]float32{x, gamma, beta},
				outs: [][]float32{make([]float32, len(x)), make([]float32, c), make([]float32, c)},
				run: func(b Backend, in, out []Slice) error {
					return b.BatchNorm(out[0], out[1], out[2], in[0], in[1], in[2], nb, c, hw, 1e-5)
				}},
			kernelCase{name: "batch norm grad", ins: [][]float32{dy, x, mean, inv, gamma},
				outs: [][]float32{make([]float32, len(x)), make([]float32, c), make([]float32, c)},
				run: func(b Backend, in, out []Slice) error {
					return b.BatchNormGrad(out[0], out[1], out[2], in[0], in[1], in[2], in[3], in[4], nb, c, hw)
				}})
	}
	for _, g := range []PoolGeom{
		{N: 2, C: 4, H: 10, W: 10, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 2, StrideW: 2},
		{N: 3, C: 2, H: 8, W: 6, KH: 2, KW: 2, StrideH: 2, StrideW: 2},
	} {
		g := g
		oh, ow := g.Out()
		ys := g.N * g.C * oh * ow
		x, dy := randn(rng, g.N*g.C*g.H*g.W, 1), randn(rng, ys, 1)
		y, arg := make([]float32, ys), make([]float32, ys)
		hs := func(d []float32) Slice { return Slice{mem: hostMem(d), n: len(d)} }
		_ = NewHost().MaxPool(hs(y), hs(arg), hs(x), g)
		tag := fmt.Sprintf("%dx%d s%d p%d", g.KH, g.KW, g.StrideH, g.PadH)
		cs = append(cs,
			kernelCase{name: "max pool " + tag, ins: [][]float32{x}, outs: [][]float32{make([]float32, ys), make([]float32, ys)},
				run: func(b Backend, in, out []Slice) error { return b.MaxPool(out[0], out[1], in[0], g) }},
			kernelCase{name: "max pool grad " + tag, ins: [][]float32{dy, arg}, outs: [][]float32{make([]float32, len(x))},
				run: func(b Backend, in, out []Slice) error { return b.MaxPoolGrad(out[0], in[0], in[1], g) }},
			kernelCase{name: "avg pool " + tag, ins: [][]float32{x}, outs: [][]float32{make([]float32, ys)},
				run: func(b Backend, in, out []Slice) error { return b.AvgPool(out[0], in[0], g) }},
			kernelCase{name: "avg pool grad " + tag, ins: [][]float32{dy}, outs: [][]float32{make([]float32, len(x))},
				run: func(b Backend, in, out []Slice) error { return b.AvgPoolGrad(out[0], in[0], g) }})
	}
	{
		w, g, v, m2 := randn(rng, n, 1), randn(rng, n, 1), randn(rng, n, 0.1), positive(rng, n)
		cs = append(cs,
			kernelCase{name: "sgd", ins: [][]float32{g}, outs: [][]float32{append([]float32(nil), w...), append([]float32(nil), v...)},
				run: func(b Backend, in, out []Slice) error { return b.SGD(out[0], in[0], out[1], 0.1, 0.9, 5e-4) }},
			kernelCase{name: "adam", ins: [][]float32{g},
				outs: [][]float32{append([]float32(nil), w...), append([]float32(nil), v...), append([]float32(nil), m2...)},
				run: func(b Backend, in, out []Slice) error {
					return b.Adam(out[0], in[0], out[1], out[2], 1e-3, 0.9, 0.999, 1e-8, 0.05, 3)
				}})
	}
	return cs
}
