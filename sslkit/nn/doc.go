// Package nn provides neural-network layers for sslkit on top of gorgonia:
// Linear, Conv2d (dense, grouped and depthwise), BatchNorm1d/2d, LayerNorm,
// activations (ReLU, GELU, SiLU, Sigmoid, PReLU), max/average/global
// pooling, Dropout, StochasticDepth, MLP, Sequential, ResNet residual
// blocks, multi-head Attention and window-attention TransformerBlock, and
// the binary layers of ReActNet (RSign, RPReLU, BinaryConv2d).
//
// A Module owns its parameters as plain tensors (Param.Value) and is not
// tied to a graph: Forward appends its computation to the graph of its
// input, creating one gorgonia node per parameter per graph. The same
// model can therefore be built into a training graph and an evaluation
// graph that share weights; SetTraining chooses which computation the next
// Forward builds (batch statistics or running statistics for BatchNorm,
// active or inactive Dropout).
//
// Options: every options struct (ConvOptions, BNOptions, LayerNormOptions,
// MLPOptions, BlockOptions, AvgPoolOptions, MaxPoolOptions) has a
// Default…Options constructor with PyTorch's defaults; start from it and
// change the fields you need. A field is always used as given — BNOptions
// with Momentum 0 freezes the running statistics — and an invalid value
// (a stride of 0) is an error that names the field:
//
//	opt := nn.DefaultConvOptions() // stride 1, dilation 1, groups 1, bias
//	opt.Stride, opt.Padding = 2, 1
//	conv, err := nn.NewConv2d("conv1", 3, 64, 3, opt, nil)
//
// Random initialisation: constructors take a *rand.Rand; nil draws from
// one process-wide stream (DefaultRand: each constructor takes a seed from
// it), like PyTorch's global generator, so two layers or two backbones
// built with nil differ. Seed resets that
// stream, like torch.manual_seed, so a program that calls nn.Seed(s) and
// then builds the same models in the same order gets the same weights.
// Dropout and StochasticDepth seed their masks from it too.
//
// Parameter names follow PyTorch's state_dict convention
// ("layer1.0.conv1.weight"), so checkpoints and printed summaries read the
// same as in PyTorch. Shapes are static: the batch size is part of the graph.
// All tensors are float32.
//
// A typical training graph:
//
//	cfg := backbone.DefaultResNetConfig(18)
//	cfg.CIFARStem = true
//	net, _ := backbone.NewResNet(cfg, nil)
//	g := gorgonia.NewGraph()
//	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(128, 3, 32, 32))
//	y, err := net.Forward(x)
//	var features gorgonia.Value
//	gorgonia.Read(y, &features) // copy: the tape machine may reuse y's memory
//	... cost from y ...
//	grads, err := gorgonia.Grad(cost, nn.ParamNodes(net, g)...)
//
// Read outputs through gorgonia.Read rather than Node.Value after a run:
// gorgonia's tape machine may overwrite an intermediate node's memory in
// place once its last consumer has run. Parameter gradients and the cost
// are safe to read directly.
//
// Where gorgonia v0.9.18 computes a wrong gradient (average pooling,
// two-axis reductions, inverse square root) or lacks an op (GELU's erf,
// depthwise and grouped convolution), this package uses its own Ops, each
// checked against finite differences and PyTorch. Convolution and
// training-mode BatchNorm are also its own fused ops: gorgonia's versions
// unfold the whole batch and materialise many broadcast copies, which made
// a ResNet-18 step at batch 128 need several times the memory and time.
//
// Every op of this package and of nn/ops is a customop.Op
// (nn/internal/customop): an op's kernel is the Kernel function in the
// op_*.go file of its layer (op_conv.go, op_batchnorm.go, op_maxpool.go,
// …) or the kernel type in nn/ops. Each op stops at a notebook interrupt
// (sslkit/ambient) and the hot ones reuse their output memory from step to
// step. Reductions over several axes go through ops.SumAxes/MeanAxes, the
// one fix for gorgonia's multi-axis reduction gradients.
//
// Fused layers: Sequential runs a BatchNorm followed by a ReLU, and a
// Conv2d (one group, no bias) followed by an evaluation-mode BatchNorm
// (and a ReLU), as one op each, and a ResidualBlock adds and rectifies in
// one op: the intermediate tensor is never stored, which is most of what
// a ResNet step keeps in memory, and a pass over it is saved each way.
// The layers' parameters, names and gradients are unchanged; the graph
// simply has fewer nodes (so Node values of the intermediate layers do
// not exist). Linear is one op too (x·Wᵀ + b, no transposes).
package nn
