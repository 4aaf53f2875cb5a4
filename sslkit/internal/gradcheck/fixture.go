package gradcheck

import (
	"encoding/json"
	"fmt"
	"os"

	G "gorgonia.org/gorgonia"
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

// Node adds f to g as a float32 input named name (the dtype PyTorch
// computed in); a 0-d tensor becomes a scalar node.
func (f FixtureTensor) Node(g *G.ExprGraph, name string) *G.Node {
	s := tensor.Shape(f.Shape)
	if s.IsScalar() {
		return G.NewScalar(g, tensor.Float32, G.WithName(name), G.WithValue(float32(f.Data[0])))
	}
	return G.NewTensor(g, tensor.Float32, s.Dims(), G.WithShape(s...), G.WithName(name), G.WithValue(f.Dense()))
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
	var cases []Fixture
	if err := LoadCases(path, &cases); err != nil {
		return nil, err
	}
	out := make(map[string]Fixture, len(cases))
	for _, c := range cases {
		out[c.Name] = c
	}
	return out, nil
}

// LoadCases decodes the "cases" list of a fixture file, as every
// gen_fixtures.py writes it, into cases (a pointer to a slice of the
// caller's case type: losses and ops have their own fields).
func LoadCases(path string, cases interface{}) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc := struct {
		Cases interface{} `json:"cases"`
	}{cases}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
