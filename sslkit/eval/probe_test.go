package eval

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/ambient"
)

var regenSklearn = flag.Bool("sklearn", false, "rerun scikit-learn (/usr/bin/python3) and rewrite testdata/sklearn_probe.json")

type probeCase struct {
	name        string
	train, test *Features
	wd          float64
}

// probeCases are generated from fixed seeds, so the committed scikit-learn
// results stay valid; the checksum catches a drifting generator.
func probeCases() []probeCase {
	rng := rand.New(rand.NewSource(20))
	// Dimensions on very different scales, so standardisation matters.
	scale := make([]float64, 24)
	for j := range scale {
		scale[j] = math.Pow(10, float64(j%5)-2)
	}
	scaled := func(f *Features) *Features {
		for i := range f.Data {
			f.Data[i] *= float32(scale[i%f.D])
		}
		return f
	}
	sep := randomCentres(rng, 5, 24)
	noisy := randomCentres(rng, 10, 24)
	return []probeCase{
		{"separable", scaled(clusters(rng, sep, 600, 0.2)), scaled(clusters(rng, sep, 300, 0.2)), 1e-3},
		{"noisy", scaled(clusters(rng, noisy, 2000, 2.6)), scaled(clusters(rng, noisy, 1000, 2.6)), 1e-3},
		{"noisy-weak-decay", scaled(clusters(rng, noisy, 2000, 2.6)), scaled(clusters(rng, noisy, 1000, 2.6)), 1e-5},
	}
}

func checksum(fs ...*Features) float64 {
	var s float64
	for _, f := range fs {
		for i, v := range f.Data {
			s += float64(v) * float64(i%7+1)
		}
		for i, l := range f.Labels {
			s += float64(l * (i%5 + 1))
		}
	}
	return s
}

type sklearnProbe struct {
	Sklearn string
	Cases   []struct {
		Name                string
		Checksum            float64
		TrainTop1, TestTop1 float64 `json:"-"`
		Train1              float64 `json:"train_top1"`
		Test1               float64 `json:"test_top1"`
		Objective           float64
	}
}

func writeSklearnFixture(t *testing.T, cases []probeCase) {
	var in []map[string]any
	for _, c := range cases {
		in = append(in, map[string]any{"name": c.name, "checksum": checksum(c.train, c.test), "n_train": c.train.N, "d": c.train.D,
			"train": c.train.Data, "test": c.test.Data, "train_labels": c.train.Labels, "test_labels": c.test.Labels, "weight_decay": c.wd})
	}
	buf, _ := json.Marshal(in)
	p := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "testdata/sklearn_probe.py", p).Output()
	if err != nil {
		t.Fatalf("sklearn_probe.py: %v", err)
	}
	if err := os.WriteFile("testdata/sklearn_probe.json", append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The probe reaches scikit-learn's optimum of the same objective: equal
// objective values (both converged) and accuracies within a point.
func TestLinearProbeMatchesSklearn(t *testing.T) {
	cases := probeCases()
	if *regenSklearn {
		writeSklearnFixture(t, cases)
	}
	buf, err := os.ReadFile("testdata/sklearn_probe.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref sklearnProbe
	if err := json.Unmarshal(buf, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) != len(cases) {
		t.Fatalf("fixture has %d cases, want %d (rerun with -sklearn)", len(ref.Cases), len(cases))
	}
	for i, c := range cases {
		r := ref.Cases[i]
		if r.Name != c.name || math.Abs(r.Checksum-checksum(c.train, c.test)) > 1e-6*math.Abs(r.Checksum) {
			t.Fatalf("case %s: the generated data changed since the fixture was written (rerun with -sklearn)", c.name)
		}
		got, err := LinearProbe(context.Background(), c.train, c.test, ProbeOptions{WeightDecay: c.wd, MaxIterations: 1000})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v; sklearn %s: train %.2f%% test %.2f%% objective %.6f", c.name, got, ref.Sklearn, r.Train1, r.Test1, r.Objective)
		if math.Abs(got.Loss-r.Objective) > 1e-4*(1+r.Objective) {
			t.Errorf("%s: objective %.6f, sklearn %.6f", c.name, got.Loss, r.Objective)
		}
		if math.Abs(got.TestTop1-r.Test1) > 1 || math.Abs(got.TrainTop1-r.Train1) > 1 {
			t.Errorf("%s: top-1 train %.2f test %.2f, sklearn train %.2f test %.2f", c.name, got.TrainTop1, got.TestTop1, r.Train1, r.Test1)
		}
	}
	// The default recipe (100 iterations, wd 1e-4) lands within a point too.
	c, r := cases[1], ref.Cases[1]
	got, err := LinearProbe(context.Background(), c.train, c.test, DefaultProbeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.TestTop1-r.Test1) > 1 {
		t.Errorf("default recipe: %v, sklearn test %.2f%%", got, r.Test1)
	}
}

func TestLinearProbeSeparable(t *testing.T) {
	c := probeCases()[0]
	r, err := LinearProbe(context.Background(), c.train, c.test, DefaultProbeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.TrainTop1 != 100 || r.TestTop1 != 100 {
		t.Errorf("separable clusters: %v", r)
	}
	if r.Model.Classes != 5 || r.Model.D != 24 || len(r.Model.W) != 24*5 {
		t.Errorf("model shape %d×%d", r.Model.D, r.Model.Classes)
	}
	// Deterministic: a second run gives the same weights bit for bit.
	r2, _ := LinearProbe(context.Background(), c.train, c.test, DefaultProbeOptions())
	for i := range r.Model.W {
		if r.Model.W[i] != r2.Model.W[i] {
			t.Fatal("two runs gave different weights")
		}
	}
	want := "linear probe top-1 100.00% (train top-1 100.00%; multinomial logistic regression, L-BFGS, "
	if !strings.HasPrefix(r.String(), want) || !strings.Contains(r.String(), "wd 0.0001, standardised, train 600, test 300, 5 classes)") {
		t.Errorf("String() = %q", r.String())
	}
}

// The analytic gradient of the objective matches central differences.
func TestSoftmaxObjectiveGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	f := randomFeatures(rng, 300, 6, 4)
	x := standardize(f, make([]float64, 6), []float64{1, 1, 1, 1, 1, 1})
	o := &softmaxObjective{x: x, y: f.Labels, n: f.N, d: 6, c: 4, lambda: 0.3, z: make([]float64, f.N*4)}
	theta := make([]float64, 6*4+4)
	for i := range theta {
		theta[i] = rng.NormFloat64()
	}
	grad := make([]float64, len(theta))
	o.eval(theta, grad)
	for i := range theta {
		const h = 1e-5
		p := append([]float64(nil), theta...)
		p[i] += h
		fp := o.eval(p, nil)
		p[i] -= 2 * h
		fm := o.eval(p, nil)
		if fd := (fp - fm) / (2 * h); math.Abs(fd-grad[i]) > 1e-6 {
			t.Errorf("θ[%d]: gradient %.8f, finite difference %.8f", i, grad[i], fd)
		}
	}
}

func TestLinearProbeErrorsAndCancel(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	a := randomFeatures(rng, 20, 4, 3)
	b := randomFeatures(rng, 20, 5, 3)
	if _, err := LinearProbe(context.Background(), a, b, DefaultProbeOptions()); err == nil || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("dimension mismatch: %v", err)
	}
	if _, err := LinearProbe(context.Background(), a, a, ProbeOptions{MaxIterations: -3}); err == nil {
		t.Error("negative iterations accepted")
	}
	if _, err := LinearProbe(context.Background(), a, a, ProbeOptions{}); err == nil || !strings.Contains(err.Error(), "DefaultProbeOptions") {
		t.Errorf("zero iterations: %v, want an error naming the default constructor", err)
	}
	// A literal zero weight decay means none, not the default.
	if r, err := LinearProbe(context.Background(), a, a, ProbeOptions{MaxIterations: 5}); err != nil || r.WeightDecay != 0 {
		t.Errorf("zero weight decay: %v, %v", r, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LinearProbe(ctx, a, a, DefaultProbeOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	restore := ambient.Set(ctx)
	defer restore()
	if _, err := LinearProbe(context.Background(), a, a, DefaultProbeOptions()); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted cell: %v", err)
	}
}
