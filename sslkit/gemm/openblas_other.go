//go:build !linux

package gemm

import (
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/blas/gonum"
)

type openBLAS struct{ gonum.Implementation }

func (*openBLAS) describe() string   { return "" }
func (*openBLAS) threadCount() int   { return 1 }
func (*openBLAS) setThreadCount(int) {}

func loadOpenBLAS(string, int) (*openBLAS, error) {
	return nil, fmt.Errorf("OpenBLAS loading is implemented for Linux only, not %s", runtime.GOOS)
}
