package mvh

import (
	"fmt"
	"math"
	"testing"
)

func TestErrorConsistencyMatrixAgreesWithBenchmark(t *testing.T) {
	d := shippedData(t)
	b := shippedBenchmark(t)
	for _, dataset := range []string{"cue-conflict", "uniform-noise"} {
		m, err := d.ErrorConsistencyMatrix(dataset, []string{"resnet50", "simclr_resnet50x1", HumansName})
		if err != nil {
			t.Fatal(err)
		}
		if m.Kappa[0][0] != 1 || m.Kappa[0][2] != m.Kappa[2][0] {
			t.Fatalf("%s: matrix not symmetric with unit diagonal: %v", dataset, m.Kappa)
		}
		for i, row := range []string{"resnet50", "simclr_resnet50x1", HumansName} {
			r, _ := b.Row(row)
			var want float64
			for _, s := range r.Datasets {
				if s.Dataset == dataset {
					want = s.ErrorConsistency
				}
			}
			if math.Abs(m.Kappa[i][2]-want) > 1e-12 {
				t.Errorf("%s: kappa(%s, humans) = %.6f, benchmark %.6f", dataset, row, m.Kappa[i][2], want)
			}
		}
		// Models agree with each other more than with humans (claim 3).
		if m.Kappa[0][1] <= m.Kappa[0][2] {
			t.Errorf("%s: ResNet-50 vs SimCLR %.3f <= vs humans %.3f", dataset, m.Kappa[0][1], m.Kappa[0][2])
		}
	}
	if _, err := d.ErrorConsistencyMatrix("edge", []string{"nobody"}); err == nil {
		t.Error("unknown subject accepted")
	}
}

func TestConfusionCorrelation(t *testing.T) {
	a, _ := Confusion(obs("a", "1:cat:dog", "2:dog:dog", "3:car:cat", "4:cat:cat"))
	b, _ := Confusion(obs("b", "1:cat:dog", "2:cat:dog", "3:car:cat", "4:car:cat"))
	c, _ := Confusion(obs("c", "1:car:dog", "2:dog:dog", "3:dog:cat", "4:cat:cat"))
	r, err := ConfusionCorrelation(a, b)
	if err != nil || r <= 0.9 {
		t.Fatalf("same confusions, other rates: r = %v, %v", r, err)
	}
	r, err = ConfusionCorrelation(a, c)
	if err != nil || r >= 0 {
		t.Fatalf("different confusions: r = %v, %v", r, err)
	}
	perfect, _ := Confusion(obs("p", "1:dog:dog", "2:cat:cat"))
	if _, err := ConfusionCorrelation(perfect, perfect); err == nil {
		t.Fatal("error-free observers gave a correlation")
	}
}

func TestDatasetScoresMatchBenchmark(t *testing.T) {
	d := shippedData(t)
	b := shippedBenchmark(t)
	for _, r := range b.Rows {
		for _, want := range r.Datasets {
			got, err := d.DatasetScores(want.Dataset, r.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s on %s: %+v, benchmark %+v", r.Name, want.Dataset, got, want)
			}
		}
	}
	// A participant against the other participants.
	s, err := d.DatasetScores("edge", "subject-01")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := d.ErrorConsistencyMatrix("edge", []string{"subject-01", HumansName})
	if math.Abs(s.ErrorConsistency-m.Kappa[0][1]) > 1e-12 {
		t.Fatalf("subject-01 kappa %.6f vs matrix %.6f", s.ErrorConsistency, m.Kappa[0][1])
	}
	if _, err := d.DatasetScores("edge", "nobody"); err == nil {
		t.Fatal("unknown subject accepted")
	}
}

func TestHumanConfusionBaselineExceedsModels(t *testing.T) {
	d := shippedData(t)
	for _, name := range []string{"sketch", "cue-conflict", "uniform-noise"} {
		base, err := d.HumanConfusionBaseline(name)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := d.Confusion(name, HumansName, "")
		m, _ := d.Confusion(name, "simclr_resnet50x1", "")
		r, err := ConfusionCorrelation(h, m)
		if err != nil {
			t.Fatal(err)
		}
		// Claim 2: humans share category-level errors with each other, the
		// self-supervised model does not share them with humans.
		if base <= r {
			t.Errorf("%s: human split-half r %.3f <= SimCLR-human r %.3f", name, base, r)
		}
	}
	ds, _ := d.Dataset("edge")
	pooled, err := d.ConfusionOf("edge", ds.Humans())
	if err != nil {
		t.Fatal(err)
	}
	all, _ := d.Confusion("edge", HumansName, "")
	if fmt.Sprint(pooled.Counts) != fmt.Sprint(all.Counts) {
		t.Error("ConfusionOf(all participants) differs from the pooled humans")
	}
	if _, err := d.ConfusionOf("edge", []string{"nobody"}); err == nil {
		t.Error("unknown subject accepted")
	}
}
