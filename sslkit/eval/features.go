package eval

import (
	"fmt"
	"math"
	"math/rand"
)

// Features holds N embeddings of dimension D, row-major in Data (row i is
// Data[i*D:(i+1)*D]), and the label of each row. Labels may be nil for
// unlabelled data (kNN and the linear probe need them).
type Features struct {
	Data   []float32
	N, D   int
	Labels []int
}

// NewFeatures wraps data (n×d, row-major, not copied) and labels (nil or
// one per row) after checking their sizes.
func NewFeatures(data []float32, n, d int, labels []int) (*Features, error) {
	f := &Features{Data: data, N: n, D: d, Labels: labels}
	if err := f.check("features"); err != nil {
		return nil, err
	}
	return f, nil
}

// Row returns row i (shared, not copied).
func (f *Features) Row(i int) []float32 { return f.Data[i*f.D : (i+1)*f.D] }

// String summarises the shape, so printing Features in a notebook does not
// dump millions of numbers.
func (f *Features) String() string {
	if f == nil {
		return "features <nil>"
	}
	lab := "unlabelled"
	if f.Labels != nil {
		lab = fmt.Sprintf("%d classes", numClasses(f.Labels))
	}
	return fmt.Sprintf("features %d×%d (%s)", f.N, f.D, lab)
}

// Normalized returns a copy whose rows have unit L2 norm. A zero row stays
// zero (as torch.nn.functional.normalize leaves it).
func (f *Features) Normalized() *Features {
	out := &Features{Data: make([]float32, len(f.Data)), N: f.N, D: f.D, Labels: f.Labels}
	for i := 0; i < f.N; i++ {
		src, dst := f.Row(i), out.Row(i)
		var ss float64
		for _, v := range src {
			ss += float64(v) * float64(v)
		}
		// torch's F.normalize divides by max(‖x‖, 1e-12).
		inv := 1 / math.Max(math.Sqrt(ss), 1e-12)
		for j, v := range src {
			dst[j] = float32(float64(v) * inv)
		}
	}
	return out
}

// Subset returns the rows at indices (copied, with their labels), or an
// error naming an index out of range.
func (f *Features) Subset(indices []int) (*Features, error) {
	out := &Features{N: len(indices), D: f.D, Data: make([]float32, 0, len(indices)*f.D)}
	if f.Labels != nil {
		out.Labels = make([]int, 0, len(indices))
	}
	for k, i := range indices {
		if i < 0 || i >= f.N {
			return nil, fmt.Errorf("eval: Subset: index %d (position %d) out of range [0, %d)", i, k, f.N)
		}
		out.Data = append(out.Data, f.Row(i)...)
		if f.Labels != nil {
			out.Labels = append(out.Labels, f.Labels[i])
		}
	}
	return out, nil
}

// Sample returns n rows drawn without replacement with the given seed (all
// rows, in order, when n ≥ N): for example to measure Uniformity, which
// costs N² similarities, on 10 000 rows of a larger set.
func (f *Features) Sample(n int, seed int64) *Features {
	if n >= f.N {
		out, _ := f.Subset(seq(f.N))
		return out
	}
	idx := rand.New(rand.NewSource(seed)).Perm(f.N)[:max(n, 0)]
	out, _ := f.Subset(idx)
	return out
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// check reports inconsistent sizes and non-finite values, naming the row.
func (f *Features) check(what string) error {
	if f == nil {
		return fmt.Errorf("eval: %s: nil features", what)
	}
	if f.N < 0 || f.D < 1 {
		return fmt.Errorf("eval: %s: bad shape %d×%d", what, f.N, f.D)
	}
	if len(f.Data) != f.N*f.D {
		return fmt.Errorf("eval: %s: %d values for %d×%d", what, len(f.Data), f.N, f.D)
	}
	if f.Labels != nil && len(f.Labels) != f.N {
		return fmt.Errorf("eval: %s: %d labels for %d rows", what, len(f.Labels), f.N)
	}
	for i, v := range f.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("eval: %s: row %d, dimension %d is %v", what, i/f.D, i%f.D, v)
		}
	}
	for i, l := range f.Labels {
		if l < 0 {
			return fmt.Errorf("eval: %s: row %d has negative label %d", what, i, l)
		}
	}
	return nil
}

func (f *Features) checkLabelled(what string) error {
	if err := f.check(what); err != nil {
		return err
	}
	if f.Labels == nil {
		return fmt.Errorf("eval: %s: features have no labels", what)
	}
	if f.N == 0 {
		return fmt.Errorf("eval: %s: no rows", what)
	}
	return nil
}

func numClasses(labels []int) int {
	c := 0
	for _, l := range labels {
		if l+1 > c {
			c = l + 1
		}
	}
	return c
}
