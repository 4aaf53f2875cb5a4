// Command gpucheck is the GPU check of issue 12, built on a CPU machine
// (go build -o bench/gpu/gpucheck ./bench/gpu/cmd) and run on a GPU
// machine by bench/gpu/run.sh:
//
//  1. opens the GPU through sslkit/gpu (or says in one line why not and
//     exits with status 3);
//  2. runs every kernel of the Backend interface on the GPU and on the CPU
//     (gpu.CheckKernels) and compares them to -tol relative;
//  3. runs an MLP with SimCLR's NT-Xent through the graph executor on both
//     and compares the loss and the gradients;
//  4. times a SimCLR ResNet-18 training step (CIFAR stem, batch -batch, two
//     views, SGD with momentum) built as a gorgonia graph and run by the
//     executor on the GPU, and prints images/s.
//
// With -device cpu -verify it instead builds the same ResNet-18 graph at a
// tiny size and checks the executor on the CPU backend against gorgonia's
// tape machine: the CPU-side evidence that the graph the GPU runs is right.
package main
