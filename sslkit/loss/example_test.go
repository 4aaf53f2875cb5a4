package loss_test

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/loss"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Build SimCLR's loss on two views' projections, differentiate it and run
// one forward+backward pass.
func ExampleNTXent() {
	g := G.NewGraph()
	view := func(name string, data []float32) *G.Node {
		v := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(data))
		return G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName(name), G.WithValue(v))
	}
	z1 := view("z1", []float32{1, 0, 0, 0, 1, 0})
	z2 := view("z2", []float32{1, 0.1, 0, 0, 1, 0.1})

	cost, err := loss.NTXent(z1, z2, loss.NTXentOptions{Temperature: 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(cost, z1, z2); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	grad, _ := z1.Grad()
	fmt.Printf("loss %.4f, ∂loss/∂z1 has shape %v\n", cost.Value().Data(), grad.Shape())
	// Output: loss 0.2648, ∂loss/∂z1 has shape (2, 3)
}

// MoCo v2: InfoNCE against a queue of negatives that is refilled with the
// step's keys after each run.
func ExampleInfoNCE() {
	g := G.NewGraph()
	queue, _ := loss.NewQueue(8, 4, tensor.Float32, 1)
	q := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4), G.WithName("q"), G.WithInit(G.GlorotN(1)))
	k := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4), G.WithName("k"), G.WithInit(G.GlorotN(1)))
	cost, err := loss.InfoNCE(q, k, queue.Node(g, "queue"), loss.DefaultInfoNCEOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(cost, q); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(queue.Enqueue(k.Value())) // the next step's negatives include these keys
	// Output: <nil>
}
