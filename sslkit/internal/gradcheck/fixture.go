package gradcheck

import (
	"encoding/json"
	"fmt"
	"os"

	"gorgonia.org/tensor"
)

// FixtureTensor is a tensor as the PyTorch fixture scripts write it.
type FixtureTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// Dense converts f to a float32 tensor (a 0-d tensor becomes shape (1)).
func (f FixtureTensor) Dense() *tensor.Dense {
	d := make([]float32, len(f.Data))
	for i, v := range f.Data {
		d[i] = float32(v)
	}
	shape := f.Shape
	if len(shape) == 0 {
		shape = []int{1}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// Float32s returns f's data as float32.
func (f FixtureTensor) Float32s() []float32 { return f.Dense().Data().([]float32) }

// Fixture is one PyTorch reference case for a layer: its input,
// parameters and buffers by state_dict name, the projection R, the output
// y, and the gradients of sum(y ⊙ R); BuffersAfter holds the buffers after
// a training-mode forward (BatchNorm running statistics).
type Fixture struct {
	Name         string                   `json:"name"`
	Train        bool                     `json:"train"`
	Input        FixtureTensor            `json:"input"`
	Params       map[string]FixtureTensor `json:"params"`
	Projection   FixtureTensor            `json:"projection"`
	Output       FixtureTensor            `json:"output"`
	GradInput    FixtureTensor            `json:"grad_input"`
	GradParams   map[string]FixtureTensor `json:"grad_params"`
	BuffersAfter map[string]FixtureTensor `json:"buffers_after"`
}

// LoadFixtures reads a {"cases": [...]} file and indexes it by case name.
func LoadFixtures(path string) (map[string]Fixture, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Cases []Fixture `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]Fixture, len(doc.Cases))
	for _, c := range doc.Cases {
		out[c.Name] = c
	}
	return out, nil
}
