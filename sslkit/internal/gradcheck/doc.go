// Package gradcheck verifies gorgonia gradients against central finite
// differences, and compares computed tensors with reference values (for
// example PyTorch fixtures).
//
// gorgonia v0.9.18 ships several operations whose symbolic gradient is wrong
// (see DESIGN.md), so every layer, op and loss in sslkit is checked here
// before it is trusted. The checker works on any graph: build the
// computation, reduce it to a scalar (Projection helps), and call Check with
// the nodes whose gradients matter.
package gradcheck
