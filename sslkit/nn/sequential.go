package nn

import G "gorgonia.org/gorgonia"

// Sequential applies its modules in order.
type Sequential struct {
	Modules []Module
}

// NewSequential chains modules; nil entries are an error at Forward.
func NewSequential(modules ...Module) *Sequential { return &Sequential{Modules: modules} }

func (s *Sequential) Children() []Module { return s.Modules }
func (s *Sequential) Params() []*Param   { return collect(s.Modules...) }

func (s *Sequential) Forward(x *G.Node) (*G.Node, error) {
	for i := 0; i < len(s.Modules); i++ {
		m := s.Modules[i]
		if m == nil {
			return nil, errf("Sequential: module %d is nil", i)
		}
		// A Conv2d followed by an evaluation-mode BatchNorm (and a ReLU)
		// runs as one op: the batch norm is applied in place.
		if c, ok := m.(*Conv2d); ok && i+1 < len(s.Modules) {
			if bn, ok := s.Modules[i+1].(*BatchNorm); ok {
				relu := i+2 < len(s.Modules) && isReLU(s.Modules[i+2])
				y, fused, err := c.forwardBN(x, bn, relu)
				if err != nil {
					return nil, err
				}
				if fused {
					x = y
					i++
					if relu {
						i++
					}
					continue
				}
			}
		}
		// A BatchNorm followed by a ReLU runs as one op: one tensor
		// instead of two each way, one pass less each way.
		if bn, ok := m.(*BatchNorm); ok && i+1 < len(s.Modules) && isReLU(s.Modules[i+1]) {
			y, fused, err := bn.forwardReLU(x)
			if err != nil {
				return nil, err
			}
			if fused {
				x = y
				i++
				continue
			}
		}
		var err error
		if x, err = m.Forward(x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func isReLU(m Module) bool {
	switch m.(type) {
	case ReLU, *ReLU:
		return true
	}
	return false
}
