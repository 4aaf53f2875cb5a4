package mvh

import (
	"fmt"
	"sort"
)

// Scores are the benchmark's four metrics for one observer, either on one
// dataset or averaged over datasets.
type Scores struct {
	AccuracyDifference  float64 // squared accuracy difference to humans (lower is more human-like)
	ObservedConsistency float64 // fraction of trials with the same correctness as a human
	ErrorConsistency    float64 // Cohen's kappa over trial-by-trial correctness
	OODAccuracy         float64 // accuracy pooled over the included conditions
}

// DatasetScores are Scores on one dataset.
type DatasetScores struct {
	Dataset string
	Scores
}

// BenchmarkRow is one observer's line of the benchmark: Scores averaged over
// the datasets in Datasets.
type BenchmarkRow struct {
	Name     string // model name, or HumansName for the human-vs-human baseline
	Human    bool
	Scores           // means over Datasets
	MeanRank float64 // mean of the ranks on the three human-likeness metrics among models; 0 for humans
	Datasets []DatasetScores
}

// BenchmarkTable is the model-vs-human benchmark over the 17 datasets.
type BenchmarkTable struct {
	Rows []BenchmarkRow // models by mean rank (most human-like first), humans last
}

// Row returns the row of a model or of HumansName.
func (t *BenchmarkTable) Row(name string) (BenchmarkRow, bool) {
	for _, r := range t.Rows {
		if r.Name == name {
			return r, true
		}
	}
	return BenchmarkRow{}, false
}

// Benchmark computes the paper's benchmark for every model in the data and
// the human baseline. For each of the 17 datasets, each human participant
// and each included condition (ExcludedConditions are left out) it compares
// a model with the participant; it averages over conditions, then
// participants, then datasets. The human row compares all pairs of
// participants. OOD accuracy is per dataset the accuracy pooled over the
// included conditions, averaged over datasets (humans: all participants'
// trials pooled).
func (d *Data) Benchmark() (*BenchmarkTable, error) {
	models := map[string][]DatasetScores{}
	var humanRows []DatasetScores
	for _, name := range BenchmarkDatasets() {
		ds, ok := d.sets[name]
		if !ok {
			continue
		}
		humans := ds.Humans()
		if len(humans) < 2 {
			return nil, fmt.Errorf("mvh: benchmark dataset %s has %d participants, need at least 2", name, len(humans))
		}
		conds := ds.BenchmarkConditions()
		for _, m := range ds.Models() {
			s, err := pairScores(ds, []string{m}, humans, conds, false)
			if err != nil {
				return nil, err
			}
			models[m] = append(models[m], DatasetScores{Dataset: name, Scores: s})
		}
		s, err := pairScores(ds, humans, humans, conds, true)
		if err != nil {
			return nil, err
		}
		humanRows = append(humanRows, DatasetScores{Dataset: name, Scores: s})
	}
	if len(humanRows) == 0 {
		return nil, fmt.Errorf("mvh: no benchmark dataset with human trials (want some of %q)", BenchmarkDatasets())
	}
	t := &BenchmarkTable{}
	for _, m := range sortedKeys(boolKeys(models)) {
		t.Rows = append(t.Rows, BenchmarkRow{Name: m, Scores: meanScores(models[m]), Datasets: models[m]})
	}
	rankRows(t.Rows)
	t.Rows = append(t.Rows, BenchmarkRow{Name: HumansName, Human: true, Scores: meanScores(humanRows), Datasets: humanRows})
	return t, nil
}

// pairScores compares each observer of group1 with each of group2 on one
// dataset. With samePool, group1 == group2 and each unordered pair counts
// once, as in the toolbox's human row.
func pairScores(ds *Dataset, group1, group2, conds []string, samePool bool) (Scores, error) {
	var s Scores
	pairs := 0
	if len(conds) == 0 {
		conds = []string{""} // the whole dataset
	}
	for i, a := range group1 {
		for j, b := range group2 {
			if a == b || (samePool && j <= i) {
				continue
			}
			var diff, obs, kappa float64
			for _, c := range conds {
				oa, ob := ds.sortedOutcomes(a, c), ds.sortedOutcomes(b, c)
				k, err := consistency(oa, ob, a, b)
				if err != nil {
					return s, fmt.Errorf("mvh: %s condition %q: %w", ds.Name, c, err)
				}
				p1, p2 := fractionCorrect(oa), fractionCorrect(ob)
				diff += (p1 - p2) * (p1 - p2)
				obs += k.Observed
				kappa += k.Kappa
			}
			n := float64(len(conds))
			s.AccuracyDifference += diff / n
			s.ObservedConsistency += obs / n
			s.ErrorConsistency += kappa / n
			pairs++
		}
	}
	if pairs == 0 {
		return s, fmt.Errorf("mvh: %s: no pairs of observers to compare", ds.Name)
	}
	s.AccuracyDifference /= float64(pairs)
	s.ObservedConsistency /= float64(pairs)
	s.ErrorConsistency /= float64(pairs)
	who := group1[0]
	if samePool {
		who = HumansName
	}
	if conds[0] == "" {
		conds = nil
	}
	acc, err := Accuracy(ds.trialsIn(who, conds))
	if err != nil {
		return s, fmt.Errorf("mvh: %s: OOD accuracy of %s: %w", ds.Name, who, err)
	}
	s.OODAccuracy = acc
	return s, nil
}

func meanScores(rows []DatasetScores) Scores {
	var s Scores
	for _, r := range rows {
		s.AccuracyDifference += r.AccuracyDifference
		s.ObservedConsistency += r.ObservedConsistency
		s.ErrorConsistency += r.ErrorConsistency
		s.OODAccuracy += r.OODAccuracy
	}
	n := float64(len(rows))
	s.AccuracyDifference /= n
	s.ObservedConsistency /= n
	s.ErrorConsistency /= n
	s.OODAccuracy /= n
	return s
}

// rankRows sets MeanRank as the toolbox's humanlike table does (rank of
// accuracy difference ascending, of observed and error consistency
// descending, ties share the mean rank) and sorts rows by it.
func rankRows(rows []BenchmarkRow) {
	acc := ranks(rows, func(r BenchmarkRow) float64 { return r.AccuracyDifference })
	obs := ranks(rows, func(r BenchmarkRow) float64 { return -r.ObservedConsistency })
	ec := ranks(rows, func(r BenchmarkRow) float64 { return -r.ErrorConsistency })
	for i := range rows {
		rows[i].MeanRank = (acc[i] + obs[i] + ec[i]) / 3
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].MeanRank < rows[j].MeanRank })
}

// ranks returns 1-based ranks of key (smallest first), ties averaged.
func ranks(rows []BenchmarkRow, key func(BenchmarkRow) float64) []float64 {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(rows[idx[a]]) < key(rows[idx[b]]) })
	out := make([]float64, len(rows))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && key(rows[idx[j+1]]) == key(rows[idx[i]]) {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

func fractionCorrect(o []imageOutcome) float64 {
	n := 0
	for _, x := range o {
		if x.correct {
			n++
		}
	}
	return float64(n) / float64(len(o))
}

// DatasetScores computes the benchmark's metrics on one dataset for any
// observer: a model or a participant against every (other) participant,
// or HumansName for all pairs of participants. These are the per-dataset
// values that Benchmark averages.
func (d *Data) DatasetScores(dataset, subject string) (DatasetScores, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return DatasetScores{}, err
	}
	if !ds.HasSubject(subject) {
		return DatasetScores{}, fmt.Errorf("mvh: dataset %s has no trials of %q (have %q and %q)", dataset, subject, HumansName, ds.Models())
	}
	humans := ds.Humans()
	group, same := []string{subject}, false
	if subject == HumansName {
		group, same = humans, true
	}
	s, err := pairScores(ds, group, humans, ds.BenchmarkConditions(), same)
	if err != nil {
		return DatasetScores{}, err
	}
	return DatasetScores{Dataset: dataset, Scores: s}, nil
}

// Benchmark metric names for BenchmarkPlot.
const (
	MetricAccuracyDifference  = "accuracy difference"
	MetricObservedConsistency = "observed consistency"
	MetricErrorConsistency    = "error consistency"
	MetricOODAccuracy         = "OOD accuracy"
)

// Value returns one of the benchmark metrics by name (the Metric constants).
func (s Scores) Value(metric string) (float64, error) {
	switch metric {
	case MetricAccuracyDifference:
		return s.AccuracyDifference, nil
	case MetricObservedConsistency:
		return s.ObservedConsistency, nil
	case MetricErrorConsistency:
		return s.ErrorConsistency, nil
	case MetricOODAccuracy:
		return s.OODAccuracy, nil
	}
	return 0, fmt.Errorf("mvh: unknown metric %q (want %q, %q, %q or %q)", metric,
		MetricAccuracyDifference, MetricObservedConsistency, MetricErrorConsistency, MetricOODAccuracy)
}
