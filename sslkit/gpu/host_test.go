package gpu

import (
	"math"
	"math/rand"
	"strings"
	"testing"
)

func hs(d []float32) Slice { return Slice{mem: hostMem(d), n: len(d)} }

func dot(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// Col2Im is Im2Col's adjoint: <col2im(c), x> = <c, im2col(x)>.
func TestCol2ImIsTheAdjointOfIm2Col(t *testing.T) {
	h := NewHost()
	rng := rand.New(rand.NewSource(1))
	for _, g := range []ConvGeom{
		{N: 2, C: 3, H: 7, W: 9, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 2, StrideW: 1, DilH: 1, DilW: 1},
		{N: 1, C: 2, H: 10, W: 8, KH: 2, KW: 3, PadH: 0, PadW: 2, StrideH: 1, StrideW: 3, DilH: 2, DilW: 1},
	} {
		x, c := randn(rng, g.N*g.C*g.H*g.W, 1), randn(rng, g.ColSize(), 1)
		col, dx := make([]float32, g.ColSize()), make([]float32, len(x))
		if err := h.Im2Col(hs(col), hs(x), g); err != nil {
			t.Fatal(err)
		}
		if err := h.Col2Im(hs(dx), hs(c), g); err != nil {
			t.Fatal(err)
		}
		if a, b := dot(dx, x), dot(c, col); math.Abs(a-b) > 1e-4*math.Abs(b) {
			t.Errorf("%+v: <col2im(c), x> = %v, <c, im2col(x)> = %v", g, a, b)
		}
	}
}

func TestAvgPoolGradIsTheAdjoint(t *testing.T) {
	h := NewHost()
	rng := rand.New(rand.NewSource(2))
	g := PoolGeom{N: 2, C: 3, H: 9, W: 7, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 2, StrideW: 2}
	oh, ow := g.Out()
	x, dy := randn(rng, g.N*g.C*g.H*g.W, 1), randn(rng, g.N*g.C*oh*ow, 1)
	y, dx := make([]float32, len(dy)), make([]float32, len(x))
	if err := h.AvgPool(hs(y), hs(x), g); err != nil {
		t.Fatal(err)
	}
	if err := h.AvgPoolGrad(hs(dx), hs(dy), g); err != nil {
		t.Fatal(err)
	}
	if a, b := dot(dx, x), dot(dy, y); math.Abs(a-b) > 1e-4*math.Abs(b) {
		t.Errorf("<avgpoolgrad(dy), x> = %v, <dy, avgpool(x)> = %v", a, b)
	}
}

// numGrad checks an analytic gradient against central differences of
// f(x) = <dy, forward(x)>.
func numGrad(t *testing.T, name string, x, grad []float32, f func(x []float32) float64) {
	t.Helper()
	const eps = 1e-2
	for _, i := range []int{0, 1, len(x) / 3, len(x) / 2, len(x) - 1} {
		old := x[i]
		x[i] = old + eps
		up := f(x)
		x[i] = old - eps
		down := f(x)
		x[i] = old
		want := (up - down) / (2 * eps)
		if math.Abs(want-float64(grad[i])) > 2e-2*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: ∂/∂x[%d] = %v, finite differences %v", name, i, grad[i], want)
		}
	}
}

func TestBatchNormGradMatchesFiniteDifferences(t *testing.T) {
	h := NewHost()
	rng := rand.New(rand.NewSource(3))
	n, c, hw := 4, 3, 5
	x, gamma, beta, dy := randn(rng, n*c*hw, 1), randn(rng, c, 1), randn(rng, c, 1), randn(rng, n*c*hw, 1)
	f := func([]float32) float64 { // numGrad perturbs x, γ or β in place
		y, m, is := make([]float32, len(x)), make([]float32, c), make([]float32, c)
		if err := h.BatchNorm(hs(y), hs(m), hs(is), hs(x), hs(gamma), hs(beta), n, c, hw, 1e-5); err != nil {
			t.Fatal(err)
		}
		return dot(dy, y)
	}
	y, m, is := make([]float32, len(x)), make([]float32, c), make([]float32, c)
	if err := h.BatchNorm(hs(y), hs(m), hs(is), hs(x), hs(gamma), hs(beta), n, c, hw, 1e-5); err != nil {
		t.Fatal(err)
	}
	dx, dg, db := make([]float32, len(x)), make([]float32, c), make([]float32, c)
	if err := h.BatchNormGrad(hs(dx), hs(dg), hs(db), hs(dy), hs(x), hs(m), hs(is), hs(gamma), n, c, hw); err != nil {
		t.Fatal(err)
	}
	numGrad(t, "batch norm x", x, dx, f)
	numGrad(t, "batch norm γ", gamma, dg, f)
	numGrad(t, "batch norm β", beta, db, f)
}

func TestSoftmaxGradMatchesFiniteDifferences(t *testing.T) {
	h := NewHost()
	rng := rand.New(rand.NewSource(4))
	rows, cols := 3, 7
	x, dy := randn(rng, rows*cols, 1), randn(rng, rows*cols, 1)
	f := func(x []float32) float64 {
		y := make([]float32, len(x))
		if err := h.Softmax(hs(y), hs(x), rows, cols); err != nil {
			t.Fatal(err)
		}
		return dot(dy, y)
	}
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	_ = h.Softmax(hs(y), hs(x), rows, cols)
	if err := h.SoftmaxGrad(hs(dx), hs(y), hs(dy), rows, cols); err != nil {
		t.Fatal(err)
	}
	numGrad(t, "softmax", x, dx, f)
}

func TestMaxPoolGradMatchesFiniteDifferences(t *testing.T) {
	h := NewHost()
	rng := rand.New(rand.NewSource(5))
	g := PoolGeom{N: 1, C: 2, H: 6, W: 6, KH: 3, KW: 3, PadH: 1, PadW: 1, StrideH: 2, StrideW: 2}
	oh, ow := g.Out()
	x, dy := randn(rng, g.N*g.C*g.H*g.W, 1), randn(rng, g.N*g.C*oh*ow, 1)
	f := func(x []float32) float64 {
		y, a := make([]float32, len(dy)), make([]float32, len(dy))
		if err := h.MaxPool(hs(y), hs(a), hs(x), g); err != nil {
			t.Fatal(err)
		}
		return dot(dy, y)
	}
	y, a, dx := make([]float32, len(dy)), make([]float32, len(dy)), make([]float32, len(x))
	_ = h.MaxPool(hs(y), hs(a), hs(x), g)
	if err := h.MaxPoolGrad(hs(dx), hs(dy), hs(a), g); err != nil {
		t.Fatal(err)
	}
	numGrad(t, "max pool", x, dx, f)
}

func TestBadSizesAreErrorsNotPanics(t *testing.T) {
	h := NewHost()
	small, big := hs(make([]float32, 4)), hs(make([]float32, 100))
	for name, err := range map[string]error{
		"gemm":    h.Gemm(false, false, 5, 5, 5, 1, small, big, 0, big),
		"unary":   h.Unary(Exp, small, big),
		"reduce":  h.Reduce(Sum, small, small, 2, 3, 1),
		"softmax": h.Softmax(small, big, 10, 10),
		"im2col":  h.Im2Col(small, big, ConvGeom{N: 1, C: 1, H: 5, W: 5, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}),
		"conv0":   h.Im2Col(big, big, ConvGeom{N: 1, C: 1, H: 2, W: 2, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}),
		"pool":    h.MaxPool(small, small, big, PoolGeom{N: 1, C: 1, H: 10, W: 10, KH: 2, KW: 2, StrideH: 2, StrideW: 2}),
		"strided": h.Binary(Add, big, small, small, Strided{Shape: []int{10}, StrideA: []int{1}, StrideB: []int{1}}),
		"sgd":     h.SGD(small, big, small, 1, 0, 0),
		"adam0":   h.Adam(small, small, small, small, 1, 0.9, 0.99, 1e-8, 0, 0),
	} {
		if err == nil {
			t.Errorf("%s: bad sizes accepted", name)
		}
	}
}

func TestCheckKernelsHostAgainstItself(t *testing.T) {
	res := CheckKernels(NewHost(), NewHost())
	if len(res) < 72 {
		t.Fatalf("only %d kernel checks", len(res))
	}
	for _, r := range res {
		if !r.OK(0) {
			t.Errorf("%s: %v (err %v)", r.Name, r.MaxRelErr, r.Err)
		}
	}
}

// brokenHost gets one kernel slightly wrong; CheckKernels must notice.
type brokenHost struct{ *Host }

func (b brokenHost) Softmax(y, x Slice, rows, cols int) error {
	if err := b.Host.Softmax(y, x, rows, cols); err != nil {
		return err
	}
	d, _ := b.f(y)
	d[len(d)/2] += 0.01 // softmax values sum to 1 per row: a visible error
	return nil
}

func (b brokenHost) Name() string { return "broken" }

func TestCheckKernelsCatchesAWrongKernel(t *testing.T) {
	bad := 0
	for _, r := range CheckKernels(NewHost(), brokenHost{NewHost()}) {
		if !r.OK(1e-4) {
			bad++
			if r.Name != "softmax" {
				t.Errorf("%s flagged (%v, %v); only softmax is wrong", r.Name, r.MaxRelErr, r.Err)
			}
		}
	}
	if bad != 1 {
		t.Errorf("%d kernels flagged, want 1 (softmax)", bad)
	}
}

func TestKernelNamesMatchTheSource(t *testing.T) {
	for _, name := range kernelNames {
		if !strings.Contains(kernelSource, `extern "C" __global__ void `+name+"(") {
			t.Errorf("kernels.cu has no entry point %s", name)
		}
	}
	if strings.Contains(kernelSource, "#include") {
		t.Error("kernels.cu includes a header; NVRTC has none")
	}
}
