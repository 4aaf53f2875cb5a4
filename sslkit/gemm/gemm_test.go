package gemm

import (
	"math"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The OpenBLAS path must give gonum's results (to float32 rounding) for
// every transpose combination, padded leading dimensions and beta ≠ 0.
func TestOpenBLASMatchesGonum(t *testing.T) {
	ob, err := loadOpenBLAS(os.Getenv("GOSSL_OPENBLAS"), 2)
	if err != nil {
		t.Skipf("no OpenBLAS here: %v", err)
	}
	rng := rand.New(rand.NewSource(1))
	ref := gonum.Implementation{}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 300, 27}, {130, 70, 576}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				ar, ac := m, k
				if tA == blas.Trans {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB == blas.Trans {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+2, bc+1, n+3
				a := randF32(rng, ar*lda)
				b := randF32(rng, br*ldb)
				c0 := randF32(rng, m*ldc)
				want := append([]float32(nil), c0...)
				got := append([]float32(nil), c0...)
				ref.Sgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, want, ldc)
				ob.Sgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, got, ldc)
				for i := range want {
					if d := math.Abs(float64(want[i] - got[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("Sgemm %v %c%c: C[%d] = %g, gonum %g", sz, tA, tB, i, got[i], want[i])
					}
				}
				a64, b64, w64, g64 := f64(a), f64(b), f64(c0), f64(c0)
				ref.Dgemm(tA, tB, m, n, k, 0.7, a64, lda, b64, ldb, 0.3, w64, ldc)
				ob.Dgemm(tA, tB, m, n, k, 0.7, a64, lda, b64, ldb, 0.3, g64, ldc)
				for i := range w64 {
					if d := math.Abs(w64[i] - g64[i]); d > 1e-10*(1+math.Abs(w64[i])) {
						t.Fatalf("Dgemm %v %c%c: C[%d] = %g, gonum %g", sz, tA, tB, i, g64[i], w64[i])
					}
				}
			}
		}
	}
}

// Arguments gonum rejects still panic (the call falls through to gonum)
// rather than reaching OpenBLAS with a short slice.
func TestOpenBLASBadArgumentsPanic(t *testing.T) {
	ob, err := loadOpenBLAS("", 1)
	if err != nil {
		t.Skipf("no OpenBLAS here: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("short C slice did not panic")
		}
	}()
	a, b, c := make([]float32, 64*64), make([]float32, 64*64), make([]float32, 10)
	ob.Sgemm(blas.NoTrans, blas.NoTrans, 64, 64, 64, 1, a, 64, b, 64, 0, c, 64)
}

// The package-level Sgemm (whatever the backend) computes a known product.
func TestSgemmKnownProduct(t *testing.T) {
	// [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [4 5; 10 11], and with A transposed.
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 0, 1, 1, 1}
	c := []float32{100, 100, 100, 100}
	Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	if want := []float32{4, 5, 10, 11}; !equal(c, want) {
		t.Fatalf("A·B = %v, want %v", c, want)
	}
	at := []float32{1, 4, 2, 5, 3, 6} // Aᵀ stored row-major (3×2)
	Sgemm(true, false, 2, 2, 3, 2, at, 2, b, 2, 1, c, 2)
	if want := []float32{12, 15, 30, 33}; !equal(c, want) {
		t.Fatalf("2·Aᵀᵀ·B + C = %v, want %v", c, want)
	}
}

// GOSSL_GEMM=gonum forces the pure-Go path and Backend says so; without it
// Backend names OpenBLAS and its path when the library loads. Each case
// runs in a fresh process because the choice is made once per process.
func TestBackendChoice(t *testing.T) {
	if os.Getenv("GOSSL_GEMM_CHILD") == "1" {
		os.Stdout.WriteString("BACKEND=" + Backend() + "\n")
		return
	}
	run := func(env ...string) string {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestBackendChoice$")
		cmd.Env = append(append(os.Environ(), "GOSSL_GEMM_CHILD=1"), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "BACKEND=") {
				return strings.TrimPrefix(l, "BACKEND=")
			}
		}
		t.Fatalf("child printed no backend:\n%s", out)
		return ""
	}
	if got := run("GOSSL_GEMM=gonum"); got != "gonum pure Go (GOSSL_GEMM=gonum)" {
		t.Errorf("GOSSL_GEMM=gonum: Backend() = %q", got)
	}
	if got := run("GOSSL_GEMM=openblas", "GOSSL_OPENBLAS=/nonexistent/libopenblas.so.0"); !strings.HasPrefix(got, "gonum pure Go (cannot load /nonexistent/libopenblas.so.0") {
		t.Errorf("missing library: Backend() = %q", got)
	}
	if got := run("GOSSL_GEMM=bogus"); !strings.Contains(got, `GOSSL_GEMM="bogus"`) {
		t.Errorf("bad GOSSL_GEMM: Backend() = %q", got)
	}
	if _, err := loadOpenBLAS("", 2); err == nil {
		got := run("GOSSL_GEMM=")
		if !strings.HasPrefix(got, "openblas (libopenblas.so.0 at /") || !strings.Contains(got, "threads") {
			t.Errorf("with OpenBLAS present: Backend() = %q", got)
		}
	}
}

func randF32(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func f64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkSgemm1024 reports GFLOP/s of a 1024² float32 product on the
// chosen backend (GOSSL_GEMM=gonum for the pure-Go one).
func BenchmarkSgemm1024(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewSource(1))
	x, y, z := randF32(rng, n*n), randF32(rng, n*n), make([]float32, n*n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sgemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.Log(Backend())
}

// Install hands the chosen BLAS to gonum's blas32/blas64 and to gorgonia
// and its tensor package, so their matmuls run on it too.
func TestInstallReachesGorgoniaAndGonum(t *testing.T) {
	Install()
	impl := Implementation()
	if G.WhichBLAS() != G.BLAS(impl) {
		t.Errorf("gorgonia uses %T, want %T", G.WhichBLAS(), impl)
	}
	if tensor.WhichBLAS() != tensor.BLAS(impl) {
		t.Errorf("gorgonia/tensor uses %T, want %T", tensor.WhichBLAS(), impl)
	}
	if blas32.Implementation() != blas.Float32(impl) {
		t.Errorf("blas32 uses %T, want %T", blas32.Implementation(), impl)
	}
	if blas64.Implementation() != blas.Float64(impl) {
		t.Errorf("blas64 uses %T, want %T", blas64.Implementation(), impl)
	}
	if _, err := loadOpenBLAS("", 1); err == nil && os.Getenv("GOSSL_GEMM") == "" && !IsOpenBLAS() {
		t.Errorf("OpenBLAS loads here but Backend() = %q", Backend())
	}
	if os.Getenv("GOSSL_GEMM") == "gonum" && IsOpenBLAS() {
		t.Error("GOSSL_GEMM=gonum but OpenBLAS was chosen")
	}
}
