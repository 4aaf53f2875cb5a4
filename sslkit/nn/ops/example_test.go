package ops_test

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Ask for the gradients of every input of a loss, including a detached
// target: gorgonia.Grad would refuse it, ops.Grad gives it zeros.
func ExampleGrad() {
	g := G.NewGraph()
	vec := func(name string, v ...float64) *G.Node {
		return G.NewVector(g, tensor.Float64, G.WithShape(len(v)), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithBacking(v))))
	}
	p, z := vec("p", 1, 2), vec("z", 3, 4)
	target, _ := ops.StopGradient(z)
	cost, _ := ops.SumSquares(G.Must(G.Sub(p, target))) // Σ (p − stopgrad(z))²
	grads, err := ops.Grad(cost, p, z)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("∂/∂p:", grads[0].Value().Data())
	fmt.Println("∂/∂z:", grads[1].Value().Data())
	fmt.Println(grads[1].Name())
	// Output:
	// ∂/∂p: [-4 -4]
	// ∂/∂z: [0 0]
	// zero gradient of z (detached: reaches the cost only through ops without a gradient, such as StopGradient)
}
