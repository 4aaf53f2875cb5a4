// Package gemm chooses, once per process, the matrix-multiply kernels that
// sslkit's convolutions, gonum's blas32/blas64 and gorgonia's matmuls run
// on: OpenBLAS, loaded at run time without cgo (github.com/ebitengine/purego)
// when libopenblas.so.0 is present, otherwise gonum's pure-Go kernels. The
// gossl binary therefore stays one static executable that is fast where
// Debian's libopenblas0-pthread is installed and correct everywhere.
//
// The choice is made on first use (Install, Backend, Sgemm), never at
// program start. GOSSL_GEMM=gonum forces the pure-Go path (CI runs every
// numerical test on both paths); GOSSL_GEMM=openblas asks for OpenBLAS and
// names the reason in Backend when it cannot be loaded; GOSSL_OPENBLAS=PATH
// loads the library from PATH instead of searching for it.
//
// OpenBLAS runs GOMAXPROCS threads inside each call. sslkit calls the GEMM
// from one goroutine at a time and parallelises only the work around it
// (unfolding, normalisation), so the two never oversubscribe the cores;
// the one exception is Each, which runs batches of small independent
// products side by side with OpenBLAS single-threaded meanwhile.
package gemm

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// Impl is a complete BLAS (all four precisions, as gorgonia's BLAS
// interface asks): the level-3 matrix products Sgemm and Dgemm may run in
// OpenBLAS, everything else is gonum's pure-Go implementation.
type Impl interface {
	blas.Float32
	blas.Float64
	blas.Complex64
	blas.Complex128
}

var (
	once    sync.Once
	chosen  Impl
	backend string
	native  = gonum.Implementation{}
)

// Install makes the choice (once per process) and installs it for gonum's
// blas32 and blas64 and for gorgonia (and through it gorgonia's tensor
// package). It is safe to call from many goroutines and costs nothing after
// the first call. sslkit's ops call it when a graph is built; programs
// that use gorgonia's matmuls directly may call it first.
func Install() {
	once.Do(func() {
		chosen, backend = choose()
		blas32.Use(chosen)
		blas64.Use(chosen)
		G.Use(chosen)
	})
}

// Backend names the GEMM path in use and why it was chosen, for `gossl
// version` and the first line of a training log, e.g. "openblas
// (libopenblas.so.0 at /usr/lib/…, 2 threads)" or "gonum pure Go
// (GOSSL_GEMM=gonum)". It makes the choice if none was made yet.
func Backend() string {
	Install()
	return backend
}

// Implementation returns the chosen BLAS, making the choice if needed.
func Implementation() Impl {
	Install()
	return chosen
}

// IsOpenBLAS reports whether the chosen path is OpenBLAS.
func IsOpenBLAS() bool {
	Install()
	_, ok := chosen.(*openBLAS)
	return ok
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major float32
// matrices, op(X) being X or Xᵀ as transA/transB say: m×k times k×n into
// m×n, with leading dimensions lda, ldb, ldc. Bad arguments panic as in
// gonum's blas32.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Install()
	chosen.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// choose picks the implementation and describes the choice.
func choose() (Impl, string) {
	switch mode := os.Getenv("GOSSL_GEMM"); mode {
	case "gonum":
		return native, "gonum pure Go (GOSSL_GEMM=gonum)"
	case "", "openblas":
		ob, err := loadOpenBLAS(os.Getenv("GOSSL_OPENBLAS"), runtime.GOMAXPROCS(0))
		if err != nil {
			return native, fmt.Sprintf("gonum pure Go (%v)", err)
		}
		return ob, ob.describe()
	default:
		return native, fmt.Sprintf("gonum pure Go (GOSSL_GEMM=%q is not gonum or openblas)", mode)
	}
}

// eachMu keeps two Each calls from changing OpenBLAS's thread count under
// each other.
var eachMu sync.Mutex

// Each calls f(0), …, f(n−1), spread over GOMAXPROCS goroutines, for n
// independent products that are each too small to share well: the
// products (and any other Sgemm calls made meanwhile) run single-threaded
// in OpenBLAS, each on its own core, instead of each product waking and
// waiting for OpenBLAS's threads in turn. f must only call Sgemm and work
// on memory no other f(i) writes. On the gonum path, whose kernels spread
// one product over the cores themselves, and with one core, Each calls
// f(0), …, f(n−1) in order.
func Each(n int, f func(i int)) {
	Install()
	ob, ok := chosen.(*openBLAS)
	workers := min(runtime.GOMAXPROCS(0), n)
	if !ok || ob.threadCount() < 2 || workers < 2 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	eachMu.Lock()
	defer eachMu.Unlock()
	ob.setThreadCount(1)
	defer ob.setThreadCount(ob.threadCount())
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			f(i)
		}
	}
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}
