package gpu

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/ebitengine/purego"
)

const (
	cublasOpN = 0 // CUBLAS_OP_N
	cublasOpT = 1 // CUBLAS_OP_T
)

type cublasAPI struct {
	lib                          *library
	create, setStream, sgemm     uintptr
	setMathMode, getStatusString uintptr
}

func loadCUBLAS(o searchOptions) (*cublasAPI, error) {
	lib, err := findLibrary(cublasNames, o)
	if err != nil {
		return nil, err
	}
	b := &cublasAPI{lib: lib}
	if err := lib.bind(map[string]*uintptr{
		"cublasCreate_v2": &b.create, "cublasSetStream_v2": &b.setStream, "cublasSgemm_v2": &b.sgemm,
		"cublasSetMathMode": &b.setMathMode, "cublasGetStatusString": &b.getStatusString,
	}); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *cublasAPI) check(what string, r int32) error {
	if r == 0 {
		return nil
	}
	msg := fmt.Sprintf("cublasStatus %d", r)
	if b.getStatusString != 0 {
		msg = goStringCall(b.getStatusString, uintptr(r))
	}
	return fmt.Errorf("gpu: %s: %s", what, msg)
}

func goStringCall(fn uintptr, arg uintptr) string {
	r, _, _ := purego.SyscallN(fn, arg)
	return goString(r)
}

// sgemm computes row-major C(m×n) = alpha·op(A)·op(B) + beta·C with dense
// leading dimensions. cuBLAS is column-major: a row-major C is the
// column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands and m, n swap.
func (d *Device) sgemm(tA, tB bool, m, n, k int, alpha float32, a devPtr, lda int, bm devPtr, ldb int, beta float32, c devPtr, ldc int) error {
	opA, opB := uintptr(cublasOpN), uintptr(cublasOpN)
	if tA {
		opA = cublasOpT
	}
	if tB {
		opB = cublasOpT
	}
	scal := &d.params // alpha and beta must outlive the call: keep them on the heap
	scal.reset()
	var ab [8]byte
	putF32(ab[:4], alpha)
	putF32(ab[4:], beta)
	scal.add(ab[:4], 4)
	scal.add(ab[4:], 4)
	r := callC(d.blas.sgemm, d.handle, opB, opA, uintptr(n), uintptr(m), uintptr(k),
		scal.ptrs[0], bm, uintptr(ldb), a, uintptr(lda), scal.ptrs[1], c, uintptr(ldc))
	return d.blas.check("cublasSgemm_v2", r)
}

// setTF32 lets cuBLAS use TF32 tensor cores for float32 GEMMs (about 10
// bits of mantissa in the products), as PyTorch does for convolutions.
func (d *Device) setTF32(on bool) error {
	mode := uintptr(0) // CUBLAS_DEFAULT_MATH
	if on {
		mode = 3 // CUBLAS_TF32_TENSOR_OP_MATH
	}
	return d.blas.check("cublasSetMathMode", callC(d.blas.setMathMode, d.handle, mode))
}

func putF32(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) }
