// Package gpu runs sslkit's training graphs on an NVIDIA GPU when one is
// usable, and on the CPU otherwise, from one binary built without cgo.
//
// The CUDA driver API (libcuda.so.1), cuBLAS (libcublas.so.13 or .12) and
// NVRTC (libnvrtc.so.13 or .12) are loaded at run time with purego, the
// first time a caller asks for the GPU (never in init): see Open and
// Select. Where no GPU is usable the reason is one line ("gpu:
// libcuda.so.1 not found (searched …)", "gpu: driver too old: …") and the
// caller trains on the CPU. The libraries are searched in GOSSL_CUDA_LIB
// (a ':'-separated list of folders), LD_LIBRARY_PATH, ldconfig's cache,
// the driver's usual folders (/usr/local/nvidia/lib64 …) and CUDA's.
//
// The work is split in three pieces:
//
//   - Backend: the kernel set a graph needs (GEMM, elementwise, reductions,
//     softmax, im2col/col2im, batch norm, pooling) on flat float32 memory.
//     Host implements it in plain Go; the CUDA backend (NewCUDA) with cuBLAS
//     and CUDA C kernels compiled once by NVRTC for the card's architecture
//     and cached on disk.
//   - Plan: buffers for every value of a sorted gorgonia graph, placed once
//     in one arena by liveness (values whose lifetimes do not overlap share
//     bytes) and reused at every step.
//   - Executor: runs the forward and backward graph that gorgonia built
//     (G.Grad) on a backend; parameters stay resident, only the values asked
//     for are copied back. An op it cannot lower is named in the error.
//
// Select("auto"|"cuda"|"cpu") (or GOSSL_DEVICE) chooses the device.
package gpu
