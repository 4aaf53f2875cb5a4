package loss

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Queue is MoCo's dictionary of negative keys: a K×D ring buffer of
// L2-normalised rows. Its node in a graph is bound to the queue's own
// tensor, so Enqueue between steps changes what the next run reads without
// rebuilding the graph.
type Queue struct {
	data *tensor.Dense
	size int
	dim  int
	ptr  int
}

// NewQueue returns a queue of size keys of dimension dim, initialised like
// MoCo's with normalised Gaussian rows drawn from seed. MoCo v2 uses
// size 65536, dim 128.
func NewQueue(size, dim int, dt tensor.Dtype, seed int64) (*Queue, error) {
	if size < 1 || dim < 1 {
		return nil, fmt.Errorf("loss.NewQueue: size %d and dim %d must be positive", size, dim)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("loss.NewQueue: dtype %v, want Float32 or Float64", dt)
	}
	rng := rand.New(rand.NewSource(seed))
	rows := make([]float64, size*dim)
	for i := range rows {
		rows[i] = rng.NormFloat64()
	}
	normaliseRows(rows, dim)
	q := &Queue{size: size, dim: dim}
	if dt == tensor.Float32 {
		f := make([]float32, len(rows))
		for i, v := range rows {
			f[i] = float32(v)
		}
		q.data = tensor.New(tensor.WithShape(size, dim), tensor.WithBacking(f))
	} else {
		q.data = tensor.New(tensor.WithShape(size, dim), tensor.WithBacking(rows))
	}
	return q, nil
}

func normaliseRows(rows []float64, dim int) {
	for r := 0; r < len(rows)/dim; r++ {
		row := rows[r*dim : (r+1)*dim]
		s := 0.0
		for _, v := range row {
			s += v * v
		}
		n := math.Max(math.Sqrt(s), 1e-12)
		for i := range row {
			row[i] /= n
		}
	}
}

// Size is the number of keys K; Dim their dimension D.
func (q *Queue) Size() int { return q.size }

// Dim is the key dimension D.
func (q *Queue) Dim() int { return q.dim }

// Tensor is the live K×D storage (read-only for callers).
func (q *Queue) Tensor() *tensor.Dense { return q.data }

// Node returns a graph input bound to the queue's storage.
func (q *Queue) Node(g *G.ExprGraph, name string) *G.Node {
	return G.NewTensor(g, q.data.Dtype(), 2, G.WithShape(q.size, q.dim), G.WithName(name), G.WithValue(q.data))
}

// Enqueue L2-normalises the rows of keys (B×D, e.g. the value of the key
// node after a step) and writes them over the oldest entries.
func (q *Queue) Enqueue(keys G.Value) error {
	if keys == nil {
		return fmt.Errorf("loss.Queue.Enqueue: nil keys")
	}
	s := keys.Shape()
	if s.Dims() != 2 || s[1] != q.dim || s[0] > q.size {
		return fmt.Errorf("loss.Queue.Enqueue: keys %v, want B×%d with B ≤ %d", s, q.dim, q.size)
	}
	var rows []float64
	switch d := keys.Data().(type) {
	case []float32:
		rows = make([]float64, len(d))
		for i, v := range d {
			rows[i] = float64(v)
		}
	case []float64:
		rows = append([]float64(nil), d...)
	default:
		return fmt.Errorf("loss.Queue.Enqueue: keys of type %T", keys.Data())
	}
	normaliseRows(rows, q.dim)
	for r := 0; r < s[0]; r++ {
		at := ((q.ptr + r) % q.size) * q.dim
		src := rows[r*q.dim : (r+1)*q.dim]
		switch d := q.data.Data().(type) {
		case []float32:
			for i, v := range src {
				d[at+i] = float32(v)
			}
		case []float64:
			copy(d[at:at+q.dim], src)
		}
	}
	q.ptr = (q.ptr + s[0]) % q.size
	return nil
}
