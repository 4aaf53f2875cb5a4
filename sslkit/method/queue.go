package method

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Queue is MoCo's dictionary of negative keys: a K×D ring of L2-normalised
// rows and the position of the oldest row, both kept as named tensors
// ("queue" and "queue_ptr", as in MoCo's state_dict) so a checkpoint
// restores the queue exactly. Graphs read the rows through a node bound to
// the live tensor, so Enqueue between steps needs no rebuild.
type Queue struct {
	Keys *nn.Param // (K, D)
	Ptr  *nn.Param // one element: the next row to overwrite
}

// NewQueue makes a queue of size rows of dim, filled like MoCo's with
// normalised Gaussian rows drawn from seed; names get prefix.
func NewQueue(prefix string, size, dim int, seed int64) (*Queue, error) {
	if size < 1 || dim < 1 {
		return nil, fmt.Errorf("method: queue size %d and dim %d must be positive", size, dim)
	}
	rng := rand.New(rand.NewSource(seed))
	rows := make([]float32, size*dim)
	for i := range rows {
		rows[i] = float32(rng.NormFloat64())
	}
	normaliseRows(rows, dim)
	return &Queue{
		Keys: nn.NewParam(prefix+"queue", tensor.New(tensor.WithShape(size, dim), tensor.WithBacking(rows))),
		Ptr:  scalarParam(prefix+"queue_ptr", 0),
	}, nil
}

func normaliseRows(rows []float32, dim int) {
	for r := 0; r < len(rows)/dim; r++ {
		row := rows[r*dim : (r+1)*dim]
		s := 0.0
		for _, v := range row {
			s += float64(v) * float64(v)
		}
		n := math.Max(math.Sqrt(s), 1e-12)
		for i := range row {
			row[i] = float32(float64(row[i]) / n)
		}
	}
}

// Size is the number of keys K.
func (q *Queue) Size() int { return q.Keys.Value.Shape()[0] }

// Dim is the key dimension D.
func (q *Queue) Dim() int { return q.Keys.Value.Shape()[1] }

// Node is the queue in graph g (a constant input: no gradient).
func (q *Queue) Node(g *G.ExprGraph) *G.Node { return q.Keys.Node(g) }

// Enqueue normalises the rows of keys (B×D, B ≤ K) and writes them over
// the oldest entries.
func (q *Queue) Enqueue(keys G.Value) error {
	if keys == nil {
		return fmt.Errorf("method: Enqueue: nil keys")
	}
	s := keys.Shape()
	k, d := q.Size(), q.Dim()
	if s.Dims() != 2 || s[1] != d || s[0] > k {
		return fmt.Errorf("method: Enqueue: keys %v, want B×%d with B ≤ %d", s, d, k)
	}
	src, ok := keys.Data().([]float32)
	if !ok {
		return fmt.Errorf("method: Enqueue: keys of type %T, want float32", keys.Data())
	}
	rows := append([]float32(nil), src...)
	normaliseRows(rows, d)
	data := q.Keys.Data()
	ptr := int(q.Ptr.Data()[0])
	for r := 0; r < s[0]; r++ {
		at := ((ptr + r) % k) * d
		copy(data[at:at+d], rows[r*d:(r+1)*d])
	}
	q.Ptr.Data()[0] = float32((ptr + s[0]) % k)
	return nil
}
