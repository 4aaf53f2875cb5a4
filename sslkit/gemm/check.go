package gemm

import "gonum.org/v1/gonum/blas"

// gemmArgsOK reports whether a row-major GEMM call's arguments are ones
// gonum accepts and that reach past no slice end; calls that fail it go to
// gonum, which panics with its usual message. Empty products also go there.
func gemmArgsOK(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) bool {
	okT := func(t blas.Transpose) bool { return t == blas.NoTrans || t == blas.Trans || t == blas.ConjTrans }
	if !okT(tA) || !okT(tB) || m <= 0 || n <= 0 || k <= 0 {
		return false
	}
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	const maxInt32 = 1<<31 - 1
	for _, v := range []int{m, n, k, lda, ldb, ldc} {
		if v > maxInt32 {
			return false
		}
	}
	return lda >= ac && ldb >= bc && ldc >= n &&
		lenA >= lda*(ar-1)+ac && lenB >= ldb*(br-1)+bc && lenC >= ldc*(m-1)+n
}
