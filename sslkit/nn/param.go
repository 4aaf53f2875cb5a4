package nn

import (
	"fmt"
	"math"
	"math/rand"
	"sync"
	"weak"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is a named float32 tensor owned by a module: a trainable weight or
// a buffer (such as BatchNorm's running mean). Its Value is the single
// source of truth; the nodes it hands out for each graph are bound to that
// same tensor, so an in-place update of Value is seen by every graph.
type Param struct {
	Name  string
	Value *tensor.Dense

	mu sync.Mutex
	// nodes holds weak references both ways, so that a graph a notebook
	// has dropped (with all its intermediate tensors) can be collected.
	nodes map[weak.Pointer[G.ExprGraph]]weak.Pointer[G.Node]
}

// NewParam wraps value under name.
func NewParam(name string, value *tensor.Dense) *Param {
	return &Param{Name: name, Value: value}
}

// Node returns the input node that holds p's value in graph g, creating it
// on first use.
func (p *Param) Node(g *G.ExprGraph) *G.Node {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := weak.Make(g)
	if w, ok := p.nodes[key]; ok {
		if n := w.Value(); n != nil {
			return n
		}
	}
	if p.nodes == nil {
		p.nodes = map[weak.Pointer[G.ExprGraph]]weak.Pointer[G.Node]{}
	}
	for k := range p.nodes { // forget collected graphs
		if k.Value() == nil {
			delete(p.nodes, k)
		}
	}
	s := p.Value.Shape()
	n := G.NewTensor(g, tensor.Float32, s.Dims(), G.WithShape(s.Clone()...), G.WithName(p.Name), G.WithValue(p.Value))
	p.nodes[key] = weak.Make(n)
	return n
}

// Size is the number of elements of p.
func (p *Param) Size() int { return p.Value.Shape().TotalSize() }

// Data returns p's elements (shared, not copied).
func (p *Param) Data() []float32 { return p.Value.Data().([]float32) }

// Set copies data into p after checking its length.
func (p *Param) Set(data []float32) error {
	if len(data) != p.Size() {
		return fmt.Errorf("nn: %s has %d elements (shape %v), got %d", p.Name, p.Size(), p.Value.Shape(), len(data))
	}
	copy(p.Data(), data)
	return nil
}

func zeros(shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(make([]float32, tensor.Shape(shape).TotalSize())))
}

func filled(v float32, shape ...int) *tensor.Dense {
	t := zeros(shape...)
	d := t.Data().([]float32)
	for i := range d {
		d[i] = v
	}
	return t
}

// uniform fills a tensor with U(-bound, bound): PyTorch's default
// initialisation for Linear and Conv2d (kaiming_uniform with a=√5 gives
// bound = 1/√fan_in for weights; biases use the same bound).
func uniform(rng *rand.Rand, bound float64, shape ...int) *tensor.Dense {
	t := zeros(shape...)
	d := t.Data().([]float32)
	for i := range d {
		d[i] = float32((2*rng.Float64() - 1) * bound)
	}
	return t
}

// kaimingNormal is He initialisation in fan_out mode, which torchvision's
// ResNet applies to convolutions.
func kaimingNormal(rng *rand.Rand, fanOut int, shape ...int) *tensor.Dense {
	t := zeros(shape...)
	d := t.Data().([]float32)
	std := math.Sqrt(2 / float64(fanOut))
	for i := range d {
		d[i] = float32(rng.NormFloat64() * std)
	}
	return t
}

// defaultSource feeds defaultRand, the generator of every constructor in
// nn, backbone and head called with a nil *rand.Rand: one process-wide
// stream seeded with 1 (like PyTorch's global generator), so a program
// that builds the same layers in the same order gets the same weights,
// while two layers or two backbones never start identical. Seed resets it.
var (
	defaultSource = &lockedSource{src: rand.NewSource(1).(rand.Source64)}
	defaultRand   = rand.New(defaultSource)
)

// Seed resets the process-wide stream that constructors given a nil
// *rand.Rand draw from (and that seeds Dropout and StochasticDepth masks),
// like torch.manual_seed: after nn.Seed(s), building the same models in
// the same order gives the same weights. It is seeded with 1 at start-up.
func Seed(seed int64) { defaultSource.Seed(seed) }

// DefaultRand returns the process-wide stream that constructors use when
// given a nil *rand.Rand: each such constructor takes one seed from it for
// a generator of its own. It is safe for concurrent use; backbone and head
// do the same, so nil-rng models all follow one sequence.
func DefaultRand() *rand.Rand { return defaultRand }

type lockedSource struct {
	mu  sync.Mutex
	src rand.Source64
}

func (s *lockedSource) Int63() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Int63()
}

func (s *lockedSource) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Uint64()
}

func (s *lockedSource) Seed(seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.src.Seed(seed)
}

// rngOrDefault returns rng or, when it is nil, a generator of its own
// seeded from the shared default stream: the result depends on that
// stream (and so on Seed) as if drawn from it, without a lock per draw,
// which made building ResNet-50 three times slower.
func rngOrDefault(rng *rand.Rand) *rand.Rand {
	if rng == nil {
		return rand.New(rand.NewSource(defaultRand.Int63()))
	}
	return rng
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
