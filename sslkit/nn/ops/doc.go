// Package ops holds custom gorgonia Ops for what gorgonia v0.9.18 lacks or
// gets wrong: StopGradient, Diag, MaskedFill, integer-label CrossEntropy,
// Softmax/LogSoftmax, SoftCrossEntropy, LogSumExp, L2Normalize, multi-axis
// SumAxes/MeanAxes, SumSquares, BatchStandardize, Gram (x·xᵀ), Sign with a
// straight-through estimator, and the selection ops the SSL losses need
// (RankMean, CentredSoftmax/CentredSoftmaxT, MatchGather).
//
// Every op is a gorgonia.Op (sslkit's one op type, nn/internal/customop,
// so each stops at a notebook interrupt) that supports symbolic
// differentiation (gorgonia.Grad then a TapeMachine) and DoDiff
// (LispMachine); each op's kernel is a small type in its file (reduce.go,
// softmax.go, …) whose forward and backward work on float64. Inputs must
// be Float32 or Float64 nodes with static shapes. The ops on the training
// hot path (Concat, Slice, L2Normalize, Gram, MaskedFill, CrossEntropy,
// BatchStandardize, SumSquares, Diag, BarlowTwinsTerms) have float32-native
// kernels: on a float32 graph they read their inputs in place, accumulate
// sums in float64 scalars, and write into memory the op keeps from one run
// of the graph to the next, so a step allocates nothing after the first
// (and CrossEntropy's gradient reuses the forward's softmax). The other
// ops, and every op on a float64 graph, run in float64 and convert back,
// so float32 results are rounded once.
//
// Fused ops save whole tensors on the SSL losses' path:
// ScaledL2Normalize (normalise and scale), CrossEntropyOffDiagonal
// (MaskedFill of the diagonal and CrossEntropy) and BarlowTwinsTerms (the
// cross-correlation and both of Barlow Twins' terms, from N×N Gram
// matrices when the batch is narrower than the embedding).
// Each op's gradient is checked against finite differences and PyTorch
// 1.13 in the tests.
//
// Concat and Slice replace gorgonia's: gorgonia v0.9.18's slice op hashes
// its bounds as single bytes, so two slices of one node with equal length
// and bounds 256 apart (rows 0:256 and 256:512 of SimCLR's 2N×D matrix,
// or Concat's gradient at N = 256) merge into one node and silently give
// wrong values or gradients.
//
// Grad is gorgonia.Grad for gradient lists that include detached inputs
// (those that reach the cost only through StopGradient, or not at all):
// they get zero gradients instead of gorgonia's "Non Differentiable WRTs".
//
// Constructors return an error for bad input (wrong rank, dtype, shape or
// option) instead of panicking.
package ops
