package eval

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/ambient"
)

func feats(t *testing.T, d int, rows ...[]float32) *Features {
	t.Helper()
	var data []float32
	for _, r := range rows {
		data = append(data, r...)
	}
	f, err := NewFeatures(data, len(rows), d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

func TestAlignment(t *testing.T) {
	x := feats(t, 2, []float32{3, 0}, []float32{0, 2}, []float32{1, 1})
	same := feats(t, 2, []float32{1, 0}, []float32{0, 5}, []float32{2, 2})         // same directions
	opposite := feats(t, 2, []float32{-1, 0}, []float32{0, -1}, []float32{-1, -1}) // ‖a−(−a)‖² = 4
	orth := feats(t, 2, []float32{0, 1}, []float32{1, 0}, []float32{1, -1})        // ‖a−b‖² = 2
	for _, c := range []struct {
		y     *Features
		alpha float64
		want  float64
	}{{same, 2, 0}, {opposite, 2, 4}, {orth, 2, 2}, {orth, 1, math.Sqrt2}, {opposite, 3, 8}} {
		s, err := Alignment(x, c.y, c.alpha)
		if err != nil {
			t.Fatal(err)
		}
		near(t, s.String(), s.Value, c.want, 1e-6)
	}
	s, _ := Alignment(x, orth, 0)
	if s.String() != "alignment 2 (α=2, 3 positive pairs, L2-normalised)" {
		t.Errorf("String() = %q", s.String())
	}
	if _, err := Alignment(x, feats(t, 2, []float32{1, 0}), 2); err == nil {
		t.Error("different row counts accepted")
	}
}

func TestUniformity(t *testing.T) {
	ctx := context.Background()
	// All the same point: every distance 0, log E e^0 = 0.
	s, err := Uniformity(ctx, feats(t, 3, []float32{1, 2, 3}, []float32{2, 4, 6}, []float32{0.5, 1, 1.5}), 2)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "collapsed", s.Value, 0, 1e-6)
	// Two antipodal points: ‖a−b‖² = 4, log e^{−2·4} = −8, the minimum for t=2.
	s, _ = Uniformity(ctx, feats(t, 2, []float32{1, 0}, []float32{-3, 0}), 2)
	near(t, "antipodal", s.Value, -8, 1e-6)
	// ±e1, ±e2: two antipodal pairs (d²=4) and four orthogonal (d²=2).
	cross := feats(t, 2, []float32{1, 0}, []float32{-1, 0}, []float32{0, 1}, []float32{0, -1})
	s, _ = Uniformity(ctx, cross, 2)
	near(t, "cross t=2", s.Value, math.Log((2*math.Exp(-8)+4*math.Exp(-4))/6), 1e-6)
	s, _ = Uniformity(ctx, cross, 0.5)
	near(t, "cross t=0.5", s.Value, math.Log((2*math.Exp(-2)+4*math.Exp(-1))/6), 1e-6)
	if !strings.Contains(s.String(), "t=0.5, 4 features, 6 pairs") {
		t.Errorf("String() = %q", s.String())
	}
}

// Against a direct double loop on random data, with chunks forced small.
func TestUniformityMatchesPairLoop(t *testing.T) {
	old := similarityBudget
	similarityBudget = 50
	defer func() { similarityBudget = old }()
	f := randomFeatures(rand.New(rand.NewSource(30)), 70, 5, 1)
	fn := f.Normalized()
	var sum float64
	pairs := 0
	for i := 0; i < f.N; i++ {
		for j := i + 1; j < f.N; j++ {
			var d2 float64
			for k := 0; k < f.D; k++ {
				dv := float64(fn.Row(i)[k]) - float64(fn.Row(j)[k])
				d2 += dv * dv
			}
			sum += math.Exp(-2 * d2)
			pairs++
		}
	}
	s, err := Uniformity(context.Background(), f, 0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "uniformity", s.Value, math.Log(sum/float64(pairs)), 1e-5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	restore := ambient.Set(ctx)
	defer restore()
	if _, err := Uniformity(context.Background(), f, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted: %v", err)
	}
}

func TestEffectiveRank(t *testing.T) {
	eye := func(n, d int, scale float32) *Features {
		f := &Features{N: n, D: d, Data: make([]float32, n*d)}
		for i := 0; i < min(n, d); i++ {
			f.Data[i*d+i] = scale
		}
		return f
	}
	rng := rand.New(rand.NewSource(31))
	collapsed := &Features{N: 500, D: 16, Data: make([]float32, 500*16)}
	dir := make([]float32, 16)
	for j := range dir {
		dir[j] = float32(rng.NormFloat64())
	}
	for i := 0; i < collapsed.N; i++ {
		s := float32(0.5 + rng.Float64())
		for j := range dir {
			collapsed.Data[i*16+j] = s * dir[j]
		}
	}
	// Singular values 3 and 1: p = (3/4, 1/4), exp(H) = exp(−¾ln¾ − ¼ln¼).
	diag := feats(t, 2, []float32{3, 0}, []float32{0, 1}, []float32{0, 0})
	// An orthogonal matrix times a scale: all singular values equal.
	q := randomFeatures(rng, 8, 8, 1)
	for _, c := range []struct {
		name string
		f    *Features
		want float64
	}{
		{"identity 32×32", eye(32, 32, 1), 32},
		{"identity 64×16 (tall)", eye(64, 16, 2), 16},
		{"identity 4×16 (wide, SVD path)", eye(4, 16, 1), 4},
		{"collapsed", collapsed, 1},
		{"diag(3,1)", diag, math.Exp(-(0.75*math.Log(0.75) + 0.25*math.Log(0.25)))},
		{"orthonormal rows", orthonormalize(q), 8},
	} {
		s, err := EffectiveRank(c.f)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.name, s.Value, c.want, 1e-4)
	}
	if _, err := EffectiveRank(&Features{N: 3, D: 2, Data: make([]float32, 6)}); err == nil {
		t.Error("all-zero matrix accepted")
	}
}

// orthonormalize runs Gram–Schmidt on the rows of a square f.
func orthonormalize(f *Features) *Features {
	rows := make([][]float64, f.N)
	for i := range rows {
		rows[i] = make([]float64, f.D)
		for j, v := range f.Row(i) {
			rows[i][j] = float64(v)
		}
		for k := 0; k < i; k++ {
			var dot float64
			for j := range rows[i] {
				dot += rows[i][j] * rows[k][j]
			}
			for j := range rows[i] {
				rows[i][j] -= dot * rows[k][j]
			}
		}
		var n float64
		for _, v := range rows[i] {
			n += v * v
		}
		for j := range rows[i] {
			rows[i][j] /= math.Sqrt(n)
		}
	}
	out := &Features{N: f.N, D: f.D, Data: make([]float32, f.N*f.D)}
	for i, r := range rows {
		for j, v := range r {
			out.Data[i*f.D+j] = float32(v)
		}
	}
	return out
}

func TestEmbeddingStd(t *testing.T) {
	// ±e_i: each dimension is +1 once, −1 once, 0 otherwise: std = 1/√D.
	const d = 8
	f := &Features{N: 2 * d, D: d, Data: make([]float32, 2*d*d)}
	for i := 0; i < d; i++ {
		f.Data[(2*i)*d+i] = 3
		f.Data[(2*i+1)*d+i] = -0.5
	}
	s, err := EmbeddingStd(f)
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range s.PerDim {
		near(t, "±e_i std of dim "+string(rune('0'+j)), v, 1/math.Sqrt(d), 1e-7)
	}
	near(t, "reference", s.Reference, 1/math.Sqrt(d), 1e-12)
	// Collapsed: one direction at different scales normalises to one point.
	c := feats(t, 3, []float32{1, 2, 2}, []float32{2, 4, 4}, []float32{0.1, 0.2, 0.2})
	s, _ = EmbeddingStd(c)
	near(t, "collapsed mean std", s.Mean, 0, 1e-7)
	if !strings.HasPrefix(s.String(), "per-dimension std 0 (mean over 3 dims of L2-normalised embeddings") {
		t.Errorf("String() = %q", s.String())
	}
}

func TestSubsetAndSample(t *testing.T) {
	f := randomFeatures(rand.New(rand.NewSource(32)), 50, 3, 4)
	s, err := f.Subset([]int{7, 2, 7})
	if err != nil {
		t.Fatal(err)
	}
	for k, i := range []int{7, 2, 7} {
		if s.Labels[k] != f.Labels[i] || s.Row(k)[2] != f.Row(i)[2] {
			t.Fatalf("row %d is not row %d of the source", k, i)
		}
	}
	if _, err := f.Subset([]int{1, 50}); err == nil || !strings.Contains(err.Error(), "index 50 (position 1)") {
		t.Errorf("out of range: %v", err)
	}
	a, b := f.Sample(20, 3), f.Sample(20, 3)
	if a.N != 20 || a.D != 3 {
		t.Fatalf("sample %d×%d", a.N, a.D)
	}
	seen := map[float32]bool{}
	for i := 0; i < a.N; i++ {
		if a.Row(i)[0] != b.Row(i)[0] {
			t.Fatal("same seed, different samples")
		}
		if seen[a.Row(i)[0]] {
			t.Fatal("a row drawn twice")
		}
		seen[a.Row(i)[0]] = true
	}
	if all := f.Sample(80, 1); all.N != 50 || all.Row(49)[1] != f.Row(49)[1] {
		t.Error("n ≥ N should return every row in order")
	}
}
