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
	for i, m := range s.Modules {
		if m == nil {
			return nil, errf("Sequential: module %d is nil", i)
		}
		var err error
		if x, err = m.Forward(x); err != nil {
			return nil, err
		}
	}
	return x, nil
}
