package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// tape runs m on gorgonia's tape machine (the CPU reference).
func tape(m *simclr, input []float32) (float32, [][]float32, error) {
	x := tensor.New(tensor.WithShape(m.x.Shape().Clone()...), tensor.WithBacking(append([]float32(nil), input...)))
	if err := G.Let(m.x, x); err != nil {
		return 0, nil, err
	}
	vm := G.NewTapeMachine(m.g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return 0, nil, err
	}
	l, ok := m.loss.Value().Data().(float32)
	if !ok {
		return 0, nil, fmt.Errorf("loss is %T", m.loss.Value().Data())
	}
	var gs [][]float32
	for _, g := range m.grads {
		d, ok := g.Value().Data().([]float32)
		if !ok {
			return 0, nil, fmt.Errorf("gradient %s is %T", g.Name(), g.Value().Data())
		}
		gs = append(gs, append([]float32(nil), d...))
	}
	return l, gs, nil
}
