// Package customop is the one way sslkit adds an op to gorgonia: Op turns
// a shape rule, a kernel and a gradient rule into the dozen methods of
// gorgonia's Op interface, so nn's layers (convolution, batch norm,
// pooling, activations) and nn/ops' loss building blocks (softmax,
// cross-entropy, reductions) are each written as plain functions.
//
// Every Op checks sslkit/ambient.Context() before it runs, so a notebook
// interrupt stops a long forward or backward pass at the next op, whatever
// kind of op it is. A float32 kernel can keep its output memory between
// runs of a graph (Reuse), so a training step allocates no new activations
// after the first.
package customop
