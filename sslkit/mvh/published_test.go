package mvh

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"strconv"
	"sync"
	"testing"
)

// These tests check the analyses on the shipped trials against numbers the
// authors published: the toolbox README's benchmark rows, the
// texture-vs-shape README's shape biases, and the per-dataset accuracies the
// toolbox wrote to raw-data/performances.

var (
	shippedOnce sync.Once
	shipped     *Data
	shippedErr  error
	benchOnce   sync.Once
	bench       *BenchmarkTable
	benchErr    error
)

func shippedData(t *testing.T) *Data {
	t.Helper()
	shippedOnce.Do(func() { shipped, shippedErr = LoadShipped() })
	if shippedErr != nil {
		t.Fatal(shippedErr)
	}
	return shipped
}

func shippedBenchmark(t *testing.T) *BenchmarkTable {
	d := shippedData(t)
	benchOnce.Do(func() { bench, benchErr = d.Benchmark() })
	if benchErr != nil {
		t.Fatal(benchErr)
	}
	return bench
}

func TestShippedDataIsComplete(t *testing.T) {
	d := shippedData(t)
	if n := d.NumTrials(true); n != 85120 {
		t.Errorf("%d human trials, want 85,120", n)
	}
	people := 0
	for _, name := range d.Datasets() {
		ds, _ := d.Dataset(name)
		people += len(ds.Humans())
	}
	if people != 90 || len(d.Datasets()) != 17 {
		t.Errorf("%d participants on %d datasets, want 90 on 17", people, len(d.Datasets()))
	}
	if got := len(d.Models()); got != 15 {
		t.Errorf("%d models, want 15 (%q)", got, d.Models())
	}
}

func TestBenchmarkReproducesPublishedRows(t *testing.T) {
	b := shippedBenchmark(t)
	// model-vs-human README: accuracy difference, observed consistency, error
	// consistency, OOD accuracy (ResNet-50 all four; Noisy Student's OOD
	// accuracy; CLIP's observed consistency and OOD accuracy).
	cases := []struct {
		model string
		get   func(BenchmarkRow) float64
		want  string
	}{
		{"resnet50", func(r BenchmarkRow) float64 { return r.AccuracyDifference }, ".087"},
		{"resnet50", func(r BenchmarkRow) float64 { return r.ObservedConsistency }, ".665"},
		{"resnet50", func(r BenchmarkRow) float64 { return r.ErrorConsistency }, ".208"},
		{"resnet50", func(r BenchmarkRow) float64 { return r.OODAccuracy }, ".559"},
		{"efficientnet_l2_noisy_student_475", func(r BenchmarkRow) float64 { return r.OODAccuracy }, ".829"},
		{"clip", func(r BenchmarkRow) float64 { return r.ObservedConsistency }, ".758"},
		{"clip", func(r BenchmarkRow) float64 { return r.OODAccuracy }, ".708"},
	}
	for i, c := range cases {
		r, ok := b.Row(c.model)
		if !ok {
			t.Fatalf("no benchmark row for %s", c.model)
		}
		if got := three(c.get(r)); got != c.want {
			t.Errorf("case %d (%s): got %s, published %s", i, c.model, got, c.want)
		}
	}
	h, ok := b.Row(HumansName)
	if !ok || !h.Human || len(h.Datasets) != 17 {
		t.Fatalf("human baseline row missing or partial: %+v", h)
	}
	// Humans agree with each other more than any model does.
	for _, r := range b.Rows {
		if !r.Human && r.ErrorConsistency >= h.ErrorConsistency {
			t.Errorf("%s error consistency %.3f >= humans %.3f", r.Name, r.ErrorConsistency, h.ErrorConsistency)
		}
	}
}

func TestShapeBiasReproducesPublished(t *testing.T) {
	d := shippedData(t)
	cases := map[string]string{ // texture-vs-shape README / toolbox
		"resnet50":                       "21.4",
		"resnet50_trained_on_SIN":        "81.4",
		"resnet50_trained_on_SIN_and_IN": "34.7",
		"resnet50_trained_on_SIN_and_IN_then_finetuned_on_IN": "20.5",
	}
	for m, want := range cases {
		r, err := d.ShapeBias(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%.1f", 100*r.ShapeBias); got != want {
			t.Errorf("%s shape bias %s%%, published %s%%", m, got, want)
		}
	}
	per, err := d.ShapeBiasByCategory(HumansName)
	if err != nil || len(per) != 16 {
		t.Fatalf("human per-category shape bias: %v, %d categories", err, len(per))
	}
}

// performances reads the toolbox's per-model accuracy summaries from the
// shipped archive: model -> dataset -> top-1 accuracy.
func performances(t *testing.T) map[string]map[string]float64 {
	gz, err := gzip.NewReader(bytes.NewReader(shippedArchive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]map[string]float64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || path.Base(path.Dir(h.Name)) != "performances" {
			continue
		}
		recs, err := csv.NewReader(tr).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		for _, r := range recs[1:] {
			if r[2] != "accuracy (top-1)" {
				continue
			}
			v, err := strconv.ParseFloat(r[3], 64)
			if err != nil {
				t.Fatalf("%s: %v", h.Name, err)
			}
			if out[r[0]] == nil {
				out[r[0]] = map[string]float64{}
			}
			out[r[0]][r[1]] = v
		}
	}
	return out
}

func TestDatasetAccuracyMatchesToolbox(t *testing.T) {
	d := shippedData(t)
	perf := performances(t)
	if len(perf) != 15 {
		t.Fatalf("%d models in performances/, want 15", len(perf))
	}
	checked := 0
	for model, byDataset := range perf {
		for dataset, want := range byDataset {
			got, err := d.DatasetAccuracy(dataset, model)
			if err != nil {
				t.Fatalf("%s on %s: %v", model, dataset, err)
			}
			if fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", want) {
				t.Errorf("%s on %s: accuracy %.6f, toolbox %.6f", model, dataset, got, want)
			}
			checked++
		}
	}
	if checked != 15*17 {
		t.Errorf("checked %d model-dataset accuracies, want %d", checked, 15*17)
	}
}

func TestHumanBaselinesPerCondition(t *testing.T) {
	d := shippedData(t)
	for _, name := range ParametricDatasets() {
		acc, err := d.ConditionAccuracy(name, HumansName)
		if err != nil {
			t.Fatal(err)
		}
		ec, err := d.ConditionErrorConsistency(name, HumansName)
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := d.Dataset(name)
		if len(acc) != len(ds.Conditions()) || len(ec) != len(acc) {
			t.Fatalf("%s: %d accuracies, %d consistencies for %d conditions", name, len(acc), len(ec), len(ds.Conditions()))
		}
		// The exclusion rule: every kept distorted condition has mean human
		// accuracy >= 0.2.
		kept := map[string]bool{}
		for _, c := range ds.BenchmarkConditions() {
			kept[c] = true
		}
		for _, a := range acc {
			if kept[a.Condition] && a.Value < 0.2 {
				t.Errorf("%s %s kept with human accuracy %.3f", name, a.Condition, a.Value)
			}
		}
	}
}
