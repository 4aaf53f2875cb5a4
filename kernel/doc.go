// Package kernel speaks the Jupyter messaging protocol (version 5.3) over
// ZeroMQ: the connection file, the wire format with HMAC signatures, the five
// sockets (shell, control, stdin, iopub, heartbeat) and the request handlers.
// It hands cells to an Evaluator and knows nothing of the language behind it.
// How Jupyter starts this kernel (the kernelspec) is package kernels.
package kernel
