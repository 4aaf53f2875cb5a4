package mvh

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// testdata/toolbox_reference.json holds values computed by the published
// toolbox's own analysis code (bethgelab/model-vs-human, modelvshuman/
// plotting) on the same trials; testdata/gen_toolbox_reference.py says how.
// Every decision maker, humans included, must match it.
type toolboxReference struct {
	Benchmark                 map[string]map[string]float64            `json:"benchmark"`
	PerDataset                map[string]map[string]map[string]float64 `json:"per_dataset"`
	ConditionAccuracy         map[string]map[string]map[string]float64 `json:"condition_accuracy"`
	ConditionErrorConsistency map[string]map[string]map[string]float64 `json:"condition_error_consistency"`
	ShapeBias                 map[string]float64                       `json:"shape_bias"`
}

func loadToolboxReference(t *testing.T) toolboxReference {
	t.Helper()
	raw, err := os.ReadFile("testdata/toolbox_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref toolboxReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

const toolboxTolerance = 1e-9 // same arithmetic, so only float rounding may differ

func TestBenchmarkMatchesToolbox(t *testing.T) {
	ref := loadToolboxReference(t)
	b := shippedBenchmark(t)
	if len(ref.Benchmark) != len(b.Rows) {
		t.Fatalf("toolbox has %d rows, we have %d", len(ref.Benchmark), len(b.Rows))
	}
	for name, want := range ref.Benchmark {
		r, ok := b.Row(name)
		if !ok {
			t.Fatalf("no row %q", name)
		}
		for metric, v := range want {
			got, err := r.Value(metric)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-v) > toolboxTolerance {
				t.Errorf("%s %s: %.9f, toolbox %.9f", name, metric, got, v)
			}
		}
	}
	n := 0
	for name, byDataset := range ref.PerDataset {
		r, _ := b.Row(name)
		for _, ds := range r.Datasets {
			for metric, v := range byDataset[ds.Dataset] {
				got, _ := ds.Value(metric)
				if math.Abs(got-v) > toolboxTolerance {
					t.Errorf("%s on %s, %s: %.9f, toolbox %.9f", name, ds.Dataset, metric, got, v)
				}
				n++
			}
		}
	}
	if n != 16*17*3 {
		t.Errorf("compared %d per-dataset values, want %d", n, 16*17*3)
	}
}

func TestConditionCurvesMatchToolbox(t *testing.T) {
	ref := loadToolboxReference(t)
	d := shippedData(t)
	check := func(what string, table map[string]map[string]map[string]float64, f func(*Data, string, string) ([]ConditionValue, error)) {
		n := 0
		for name, byDataset := range table {
			for dataset, byCond := range byDataset {
				got, err := f(d, dataset, name)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(byCond) {
					t.Errorf("%s %s on %s: %d conditions, toolbox %d", what, name, dataset, len(got), len(byCond))
				}
				for _, v := range got {
					want, ok := byCond[v.Condition]
					if !ok || math.Abs(v.Value-want) > toolboxTolerance {
						t.Errorf("%s %s on %s, %s: %.9f, toolbox %.9f (%v)", what, name, dataset, v.Condition, v.Value, want, ok)
					}
					n++
				}
			}
		}
		if n < 16*12*2 {
			t.Errorf("%s: compared only %d values", what, n)
		}
	}
	check("accuracy", ref.ConditionAccuracy, (*Data).ConditionAccuracy)
	check("error consistency", ref.ConditionErrorConsistency, (*Data).ConditionErrorConsistency)
}

func TestShapeBiasMatchesToolbox(t *testing.T) {
	ref := loadToolboxReference(t)
	d := shippedData(t)
	for name, want := range ref.ShapeBias {
		got, err := d.ShapeBias(name)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.ShapeBias-want) > toolboxTolerance {
			t.Errorf("%s: shape bias %.9f, toolbox %.9f", name, got.ShapeBias, want)
		}
	}
	if len(ref.ShapeBias) != 16 {
		t.Errorf("%d shape biases in the reference", len(ref.ShapeBias))
	}
}
