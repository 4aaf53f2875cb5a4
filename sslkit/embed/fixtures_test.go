package embed

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fixtures are written by testdata/make_fixtures.py with scikit-learn 1.2
// and umap-learn 0.5.3.
type fixtures struct {
	High, Low     [][]float64
	Trust         map[string]float64
	Continuity    map[string]float64
	PCAX          [][]float64 `json:"pca_x"`
	PCARatio      []float64   `json:"pca_ratio"`
	PCAVar        []float64   `json:"pca_var"`
	PCAComponents [][]float64 `json:"pca_components"`
	AB            map[string][2]float64
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func rowsDense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func TestTrustworthinessMatchesScikitLearn(t *testing.T) {
	f := loadFixtures(t)
	high, low := rowsDense(f.High), rowsDense(f.Low)
	for ks, want := range f.Trust {
		k, _ := strconv.Atoi(ks)
		got, err := Trustworthiness(high, low, k)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("Trustworthiness k=%d = %.15f; scikit-learn %.15f", k, got, want)
		}
		gotC, err := Continuity(high, low, k)
		if err != nil {
			t.Fatal(err)
		}
		if wantC := f.Continuity[ks]; math.Abs(gotC-wantC) > 1e-12 {
			t.Errorf("Continuity k=%d = %.15f; scikit-learn (swapped) %.15f", k, gotC, wantC)
		}
	}
	// a map that is the data itself is perfectly trustworthy
	if got, _ := Trustworthiness(high, high, 5); got != 1 {
		t.Errorf("Trustworthiness of the identity map = %v; want 1", got)
	}
}

func TestMetricErrors(t *testing.T) {
	x, labels := clusters(20, 3, 2, 5, 1)
	y := mat.NewDense(19, 2, nil)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"k too big", func() error { _, err := Trustworthiness(x, x, 10); return err }(), "k < n/2"},
		{"k zero", func() error { _, err := Continuity(x, x, 0); return err }(), "1 ≤ k"},
		{"sizes", func() error { _, err := Trustworthiness(x, y, 3); return err }(), "20 points in one space, 19"},
		{"labels", func() error { _, err := KNNAccuracy(x, labels[:5], 3); return err }(), "5 labels for 20 points"},
		{"nil", func() error { _, err := KNNAccuracy(nil, labels, 3); return err }(), "nil matrix"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v; want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func TestKNNAccuracy(t *testing.T) {
	// two groups on a line; the point at 2.4 sits with the right group but
	// is labelled left, so it alone is misclassified (leave-one-out)
	xs := []float64{0, 0.1, 0.2, 0.3, 2.4, 2.5, 2.6, 2.7}
	labels := []int{0, 0, 0, 0, 0, 1, 1, 1}
	x := mat.NewDense(len(xs), 1, xs)
	got, err := KNNAccuracy(x, labels, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := 7.0 / 8; got != want {
		t.Errorf("KNNAccuracy = %v; want %v", got, want)
	}
}

func TestPCAMatchesScikitLearn(t *testing.T) {
	f := loadFixtures(t)
	x := rowsDense(f.PCAX)
	for _, solver := range []string{PCAExact, PCARandomized} {
		opt := DefaultPCAOptions()
		opt.Components, opt.Solver = 3, solver
		p, err := FitPCA(context.Background(), x, opt)
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < 3; c++ {
			if math.Abs(p.ExplainedVarianceRatio[c]-f.PCARatio[c]) > 1e-6 || math.Abs(p.ExplainedVariance[c]-f.PCAVar[c]) > 1e-6*f.PCAVar[c] {
				t.Errorf("%s: component %d explains %v (ratio %v); scikit-learn %v (%v)", solver, c, p.ExplainedVariance[c], p.ExplainedVarianceRatio[c], f.PCAVar[c], f.PCARatio[c])
			}
			// same direction up to sign
			var dot float64
			for j, v := range f.PCAComponents[c] {
				dot += v * p.Components.At(c, j)
			}
			if math.Abs(math.Abs(dot)-1) > 1e-6 {
				t.Errorf("%s: component %d has |cos| %v with scikit-learn's", solver, c, math.Abs(dot))
			}
		}
		// projections have the explained variances, and are uncorrelated
		proj, err := p.Transform(x)
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < 3; c++ {
			col := mat.Col(nil, c, proj)
			var s, s2 float64
			for _, v := range col {
				s += v
				s2 += v * v
			}
			n := float64(len(col))
			if v := (s2 - s*s/n) / (n - 1); math.Abs(v-p.ExplainedVariance[c]) > 1e-9*v {
				t.Errorf("%s: projection %d has variance %v; explained variance %v", solver, c, v, p.ExplainedVariance[c])
			}
		}
	}
}

func TestPCAErrors(t *testing.T) {
	x, _ := clusters(10, 4, 2, 3, 1)
	bad := mat.NewDense(3, 2, []float64{1, 2, math.NaN(), 4, 5, 6})
	cases := []struct {
		x    mat.Matrix
		opt  func(*PCAOptions)
		want string
	}{
		{x, func(o *PCAOptions) { o.Components = 5 }, "Components is 5"},
		{x, func(o *PCAOptions) { o.Components = 0 }, "Components is 0"},
		{x, func(o *PCAOptions) { o.Solver = "svd" }, `Solver is "svd"`},
		{x, func(o *PCAOptions) { o.PowerIters = -1 }, "PowerIters"},
		{bad, func(o *PCAOptions) {}, "row 1 column 0 is NaN"},
		{nil, func(o *PCAOptions) {}, "nil matrix"},
	}
	for _, c := range cases {
		opt := DefaultPCAOptions()
		c.opt(&opt)
		_, err := FitPCA(context.Background(), c.x, opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v; want one containing %q", err, c.want)
		}
	}
	p, err := FitPCA(context.Background(), x, DefaultPCAOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Transform(mat.NewDense(2, 3, nil)); err == nil || !strings.Contains(err.Error(), "3 columns") {
		t.Errorf("Transform with wrong width: %v", err)
	}
}

func TestFitABMatchesUMAPLearn(t *testing.T) {
	f := loadFixtures(t)
	for key, want := range f.AB {
		parts := strings.Split(key, ",")
		spread, _ := strconv.ParseFloat(parts[0], 64)
		minDist, _ := strconv.ParseFloat(parts[1], 64)
		a, b, err := FitAB(spread, minDist)
		if err != nil {
			t.Fatal(err)
		}
		// scipy's curve_fit stops at its own tolerance: agree to 1e-3
		if math.Abs(a-want[0]) > 1e-3*want[0] || math.Abs(b-want[1]) > 1e-3*want[1] {
			t.Errorf("FitAB(%v, %v) = %.5f, %.5f; umap-learn %.5f, %.5f", spread, minDist, a, b, want[0], want[1])
		}
	}
	if _, _, err := FitAB(0, 0.1); err == nil {
		t.Error("FitAB(0, 0.1) gave no error")
	}
}
