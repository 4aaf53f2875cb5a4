package embed

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Auto asks for a value chosen from the data, in the fields whose
// documentation says they accept it (t-SNE's LearningRate, UMAP's Epochs,
// Workers).
const Auto = -1

// Stepper receives progress: i steps of n done, with metrics by name. The
// display package's *Progress satisfies it.
type Stepper interface {
	Step(i, n int, metrics map[string]float64)
}

// points is a row-major float32 copy of an input matrix: the hot loops
// run on float32, as scikit-learn's and umap-learn's do.
type points struct {
	n, d int
	v    []float32
}

func (p points) row(i int) []float32 { return p.v[i*p.d : (i+1)*p.d : (i+1)*p.d] }

// toPoints copies x, rejecting empty matrices and non-finite values.
func toPoints(x mat.Matrix, what string) (points, error) {
	if x == nil {
		return points{}, fmt.Errorf("embed: %s: nil matrix", what)
	}
	if d, ok := x.(*mat.Dense); ok && d.IsEmpty() {
		return points{}, fmt.Errorf("embed: %s: empty matrix", what)
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return points{}, fmt.Errorf("embed: %s: empty matrix (%d×%d)", what, n, d)
	}
	p := points{n: n, d: d, v: make([]float32, n*d)}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := x.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return points{}, fmt.Errorf("embed: %s: row %d column %d is %v; values must be finite", what, i, j, v)
			}
			p.v[i*d+j] = float32(v)
		}
	}
	return p, nil
}

// FromRows copies rows (one point each, all the same length) into a
// matrix for the functions of this package.
func FromRows(rows [][]float32) (*mat.Dense, error) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return nil, fmt.Errorf("embed: FromRows: no data")
	}
	d := len(rows[0])
	m := mat.NewDense(len(rows), d, nil)
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("embed: FromRows: row %d has %d values, row 0 has %d", i, len(r), d)
		}
		for j, v := range r {
			m.Set(i, j, float64(v))
		}
	}
	return m, nil
}

// denseOf returns the n×d float32 values as a gonum matrix.
func denseOf(n, d int, v []float32) *mat.Dense {
	m := mat.NewDense(n, d, nil)
	raw := m.RawMatrix()
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			raw.Data[i*raw.Stride+j] = float64(v[i*d+j])
		}
	}
	return m
}

func resolveWorkers(w int, what string) (int, error) {
	if w == Auto {
		return runtime.GOMAXPROCS(0), nil
	}
	if w < 1 {
		return 0, fmt.Errorf("embed: %s: Workers is %d; want ≥ 1 or Auto", what, w)
	}
	return w, nil
}

// parallelFor runs fn over [0, n) in chunks on workers goroutines,
// handing out chunks dynamically so uneven rows balance.
func parallelFor(workers, n, chunk int, fn func(lo, hi int)) {
	if chunk < 1 {
		chunk = 1
	}
	if workers <= 1 || n <= chunk {
		fn(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// sqDist is the squared Euclidean distance, unrolled by four.
func sqDist(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}
