package gemm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"github.com/ebitengine/purego"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

const libName = "libopenblas.so.0"

// openBLAS runs Sgemm and Dgemm in OpenBLAS through its Fortran entry
// points (every argument a pointer, so purego's plain SyscallN calls them
// without reflection) and everything else in gonum.
type openBLAS struct {
	gonum.Implementation
	path         string
	threads      int
	config       string
	sgemm, dgemm uintptr
	setThreads   uintptr
	spin         string // OPENBLAS_THREAD_TIMEOUT in force
}

// Candidate folders, searched before the dynamic loader's own search, so
// that Backend can say where the library was found.
func searchDirs() []string {
	var dirs []string
	for _, d := range strings.Split(os.Getenv("LD_LIBRARY_PATH"), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return append(dirs,
		"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu",
		"/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/local/lib", "/usr/lib")
}

// spinEnv is OpenBLAS's environment variable for how long (log2 of CPU
// cycles) its idle worker threads spin, calling sched_yield, before they
// sleep; its default, 28 (~0.1 s), keeps a core busy between every two
// GEMMs, which is exactly when sslkit runs its own work (im2col, batch
// norm) on both cores, and it adds to the process's CPU time. 4 makes the
// workers sleep almost at once; waking them costs microseconds per GEMM.
const spinEnv, shortSpinLog2 = "OPENBLAS_THREAD_TIMEOUT", "4"

// shortSpin sets spinEnv in the C environment, where OpenBLAS reads it
// when it loads (os.Setenv does not reach it without cgo), unless the user
// set it, and returns the value in force ("default" if it could not).
func shortSpin() string {
	if v, ok := os.LookupEnv(spinEnv); ok {
		return v
	}
	libc, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return "default"
	}
	setenv, err := purego.Dlsym(libc, "setenv")
	if err != nil {
		return "default"
	}
	k, v := append([]byte(spinEnv), 0), append([]byte(shortSpinLog2), 0)
	purego.SyscallN(setenv, uintptr(unsafe.Pointer(&k[0])), uintptr(unsafe.Pointer(&v[0])), 0)
	runtime.KeepAlive(k)
	runtime.KeepAlive(v)
	return shortSpinLog2
}

func loadOpenBLAS(path string, threads int) (*openBLAS, error) {
	if path == "" {
		for _, d := range searchDirs() {
			p := filepath.Join(d, libName)
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	name := path
	if name == "" {
		name = libName // last resort: the dynamic loader's own search
	}
	spin := shortSpin()
	h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		if path == "" {
			return nil, fmt.Errorf("%s not found", libName)
		}
		return nil, fmt.Errorf("cannot load %s: %v", path, err)
	}
	ob := &openBLAS{path: path, threads: threads, spin: spin}
	if ob.path == "" {
		ob.path = libName + " (dynamic loader)"
	} else if real, err := filepath.EvalSymlinks(path); err == nil {
		ob.path = real
	}
	for _, s := range []struct {
		name string
		to   *uintptr
	}{{"sgemm_", &ob.sgemm}, {"dgemm_", &ob.dgemm}, {"openblas_set_num_threads", &ob.setThreads}} {
		if *s.to, err = purego.Dlsym(h, s.name); err != nil {
			return nil, fmt.Errorf("%s has no %s: %v", ob.path, s.name, err)
		}
	}
	if ob.threads < 1 {
		ob.threads = 1
	}
	// The thread count is process-wide in OpenBLAS: one per Go processor,
	// since sslkit never calls it from two goroutines at once.
	n := int32(ob.threads)
	purego.SyscallN(ob.setThreads, uintptr(n))
	if cfg, err := purego.Dlsym(h, "openblas_get_config"); err == nil {
		r, _, _ := purego.SyscallN(cfg)
		ob.config = cString(r)
	}
	if ob.sgemm == 0 {
		return nil, errors.New("sgemm_ is nil")
	}
	return ob, nil
}

// threadCount is the thread count OpenBLAS runs with outside Each.
func (ob *openBLAS) threadCount() int { return ob.threads }

// setThreadCount sets OpenBLAS's process-wide thread count.
func (ob *openBLAS) setThreadCount(n int) {
	purego.SyscallN(ob.setThreads, uintptr(int32(n)))
}

func cString(p uintptr) string {
	if p == 0 {
		return ""
	}
	var b []byte
	for i := 0; i < 256; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(nil), p+uintptr(i))) //nolint:govet // C string owned by the library
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return strings.TrimSpace(string(b))
}

func (ob *openBLAS) describe() string {
	s := fmt.Sprintf("openblas (%s at %s, %d threads, %s=%s", libName, ob.path, ob.threads, spinEnv, ob.spin)
	if ob.config != "" {
		s += "; " + ob.config
	}
	return s + ")"
}

// smallWork is the m·n·k below which gonum's kernels are called instead:
// for tiny products the call into C costs more than it saves.
const smallWork = 16 * 16 * 16

// Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the
// Fortran call swaps the operands and the dimensions m and n.

func (ob *openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m*n*k < smallWork || !gemmArgsOK(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		ob.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	args := [8]int32{int32(m), int32(n), int32(k), int32(lda), int32(ldb), int32(ldc)}
	scal := [2]float32{alpha, beta}
	ta, tb := fortranTrans(tA), fortranTrans(tB)
	purego.SyscallN(ob.sgemm,
		uintptr(unsafe.Pointer(&tb)), uintptr(unsafe.Pointer(&ta)),
		uintptr(unsafe.Pointer(&args[1])), uintptr(unsafe.Pointer(&args[0])), uintptr(unsafe.Pointer(&args[2])),
		uintptr(unsafe.Pointer(&scal[0])),
		uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&args[4])),
		uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&args[3])),
		uintptr(unsafe.Pointer(&scal[1])),
		uintptr(unsafe.Pointer(&c[0])), uintptr(unsafe.Pointer(&args[5])))
}

func (ob *openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m*n*k < smallWork || !gemmArgsOK(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		ob.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	args := [8]int32{int32(m), int32(n), int32(k), int32(lda), int32(ldb), int32(ldc)}
	scal := [2]float64{alpha, beta}
	ta, tb := fortranTrans(tA), fortranTrans(tB)
	purego.SyscallN(ob.dgemm,
		uintptr(unsafe.Pointer(&tb)), uintptr(unsafe.Pointer(&ta)),
		uintptr(unsafe.Pointer(&args[1])), uintptr(unsafe.Pointer(&args[0])), uintptr(unsafe.Pointer(&args[2])),
		uintptr(unsafe.Pointer(&scal[0])),
		uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&args[4])),
		uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&args[3])),
		uintptr(unsafe.Pointer(&scal[1])),
		uintptr(unsafe.Pointer(&c[0])), uintptr(unsafe.Pointer(&args[5])))
}

func fortranTrans(t blas.Transpose) byte {
	if t == blas.NoTrans {
		return 'N'
	}
	return 'T'
}
