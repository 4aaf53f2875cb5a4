package eval

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var regenTorch = flag.Bool("torch", false, "rerun PyTorch (/usr/bin/python3) and rewrite testdata/torch_knn.json")

type knnCase struct {
	name        string
	train, test *Features
	k           int
	t           float64
}

// knnCases: noisy clusters (so many classes get votes and the protocol's
// details matter), generated from a fixed seed.
func knnCases() []knnCase {
	rng := rand.New(rand.NewSource(50))
	centres := randomCentres(rng, 10, 32)
	train := clusters(rng, centres, 800, 1.6)
	test := clusters(rng, centres, 300, 1.6)
	var out []knnCase
	for _, k := range []int{20, 200} {
		for _, t := range []float64{0.1, 0.07} {
			out = append(out, knnCase{fmt.Sprintf("k=%d T=%g", k, t), train, test, k, t})
		}
	}
	return out
}

// KNN gives PyTorch's predictions, top-1 and top-5 for the protocol as
// solo-learn and lightly implement it.
func TestKNNMatchesTorch(t *testing.T) {
	cases := knnCases()
	if *regenTorch {
		var in []map[string]any
		for _, c := range cases {
			in = append(in, map[string]any{"name": c.name, "checksum": checksum(c.train, c.test), "d": c.train.D, "k": c.k, "t": c.t,
				"train": c.train.Data, "test": c.test.Data, "train_labels": c.train.Labels, "test_labels": c.test.Labels})
		}
		buf, _ := json.Marshal(in)
		p := filepath.Join(t.TempDir(), "cases.json")
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("/usr/bin/python3", "testdata/torch_knn.py", p).Output()
		if err != nil {
			t.Fatalf("torch_knn.py: %v", err)
		}
		if err := os.WriteFile("testdata/torch_knn.json", append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := os.ReadFile("testdata/torch_knn.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Torch string
		Cases []struct {
			Name        string
			Checksum    float64
			Predictions []int
			Top1, Top5  float64
		}
	}
	if err := json.Unmarshal(buf, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) != len(cases) {
		t.Fatalf("fixture has %d cases, want %d (rerun with -torch)", len(ref.Cases), len(cases))
	}
	for i, c := range cases {
		r := ref.Cases[i]
		if r.Name != c.name || math.Abs(r.Checksum-checksum(c.train, c.test)) > 1e-6*math.Abs(r.Checksum) {
			t.Fatalf("%s: the generated data changed since the fixture was written (rerun with -torch)", c.name)
		}
		got, err := KNN(context.Background(), c.train, c.test, KNNOptions{K: c.k, Temperature: c.t})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v; torch %s: top-1 %.2f%% top-5 %.2f%%", got, ref.Torch, r.Top1, r.Top5)
		for q, p := range r.Predictions {
			if got.Predictions[q] != p {
				t.Errorf("%s: test row %d predicted %d, torch %d", c.name, q, got.Predictions[q], p)
			}
		}
		if got.Top1 != r.Top1 || got.Top5 != r.Top5 {
			t.Errorf("%s: top-1 %.2f top-5 %.2f, torch %.2f %.2f", c.name, got.Top1, got.Top5, r.Top1, r.Top5)
		}
	}
}
