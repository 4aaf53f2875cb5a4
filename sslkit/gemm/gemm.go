// Package gemm chooses, once per process, the matrix-multiply kernels that
// sslkit's convolutions and gorgonia's matmuls run on. (Placeholder until
// the fast path lands: the pure-Go gonum kernels.)
package gemm

// Backend names the GEMM path in use, for `gossl version` and the first
// line of a training log.
func Backend() string { return "gonum (pure Go)" }
