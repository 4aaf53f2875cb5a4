package nn_test

import (
	"fmt"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func Example() {
	mlp, err := nn.NewMLP("projector", []int{4, 8, 2}, nn.MLPOptions{Activation: "relu", BN: nn.DefaultBNOptions(), HiddenBN: true}, nil)
	if err != nil {
		panic(err)
	}
	for _, p := range mlp.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println("parameters:", nn.CountParams(mlp))

	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 4), G.WithInit(G.Ones()))
	y, err := mlp.Forward(x)
	if err != nil {
		panic(err)
	}
	fmt.Println("output:", y.Shape())
	// Output:
	// projector.0.weight (8, 4)
	// projector.1.weight (8)
	// projector.1.bias (8)
	// projector.3.weight (2, 8)
	// projector.3.bias (2)
	// parameters: 66
	// output: (3, 2)
}

func ExampleSummary() {
	bn, _ := nn.NewBatchNorm1d("bn", 4, nn.DefaultBNOptions())
	fc, _ := nn.NewLinear("fc", 4, 2, true, nil)
	fmt.Print(nn.Summary(nn.NewSequential(bn, fc)))
	// Output:
	// name             shape   size  kind
	// bn.weight        (4)     4     parameter
	// bn.bias          (4)     4     parameter
	// fc.weight        (2, 4)  8     parameter
	// fc.bias          (2)     2     parameter
	// bn.running_mean  (4)     4     buffer
	// bn.running_var   (4)     4     buffer
	// trainable parameters: 18
}
