package checkpoint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gossl/gossl/sslkit/checkpoint"
	"github.com/gossl/gossl/sslkit/nn"
)

// A model saved by SaveModel loads back into the same architecture; a
// different architecture gets one error that names every difference.
func ExampleLoadModel() {
	dir, _ := os.MkdirTemp("", "checkpoint")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "head.safetensors")

	fc1, _ := nn.NewLinear("0", 8, 4, true, nil)
	fc2, _ := nn.NewLinear("2", 4, 2, true, nil)
	head := nn.NewSequential(fc1, nn.ReLU{}, fc2)
	if err := checkpoint.SaveModel(path, head); err != nil {
		fmt.Println(err)
	}

	same1, _ := nn.NewLinear("0", 8, 4, true, nil)
	same2, _ := nn.NewLinear("2", 4, 2, true, nil)
	var rep checkpoint.Report
	err := checkpoint.LoadModel(path, nn.NewSequential(same1, nn.ReLU{}, same2), checkpoint.LoadOptions{Report: &rep})
	fmt.Println(err, rep.Loaded)

	wider, _ := nn.NewLinear("0", 8, 16, true, nil)
	err = checkpoint.LoadModel(path, nn.NewSequential(wider), checkpoint.LoadOptions{})
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "…"))
	// Output:
	// <nil> [0.bias 0.weight 2.bias 2.weight]
	// checkpoint: …/head.safetensors does not match the model (0 missing, 2 unexpected, 2 mismatched):
	//   2 unexpected: 2.bias, 2.weight
	//   2 mismatched: 0.bias: file [4], model [16]; 0.weight: file [4 8], model [16 8]
}
