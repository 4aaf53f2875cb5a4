package mvh

import (
	"fmt"
	"math"
)

// ConsistencyMatrix holds pairwise error consistencies (kappa) of observers
// on one dataset, like the paper's error-consistency matrices.
type ConsistencyMatrix struct {
	Dataset  string
	Subjects []string
	Kappa    [][]float64
}

// ErrorConsistencyMatrix computes the error consistency of every pair of
// subjects on a dataset. HumansName stands for the participants: its kappa
// with a model is the mean over participants, with itself the mean over all
// pairs of participants. Datasets without distortion levels compare all
// trials; parametric ones average the per-condition kappas over the
// benchmark's conditions (the same image appears in several conditions).
func (d *Data) ErrorConsistencyMatrix(dataset string, subjects []string) (*ConsistencyMatrix, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	subjects = defaultSubjects(ds, subjects)
	for _, s := range subjects {
		if !ds.HasSubject(s) {
			return nil, fmt.Errorf("mvh: dataset %s has no trials of %q", dataset, s)
		}
	}
	conds := ds.BenchmarkConditions()
	if len(conds) == 0 {
		conds = []string{""}
	}
	m := &ConsistencyMatrix{Dataset: dataset, Subjects: append([]string(nil), subjects...)}
	m.Kappa = make([][]float64, len(subjects))
	for i := range subjects {
		m.Kappa[i] = make([]float64, len(subjects))
	}
	for i, a := range subjects {
		for j := i; j < len(subjects); j++ {
			k, err := groupKappa(ds, a, subjects[j], conds)
			if err != nil {
				return nil, err
			}
			m.Kappa[i][j], m.Kappa[j][i] = k, k
		}
	}
	return m, nil
}

// groupKappa is the mean kappa between the observers a and b stand for
// (HumansName expands to the participants; nobody is compared with
// themselves), averaged over conds.
func groupKappa(ds *Dataset, a, b string, conds []string) (float64, error) {
	expand := func(s string) []string {
		if s == HumansName {
			return ds.Humans()
		}
		return []string{s}
	}
	var sum float64
	n := 0
	for _, x := range expand(a) {
		for _, y := range expand(b) {
			if x == y {
				continue
			}
			for _, c := range conds {
				k, err := consistency(ds.sortedOutcomes(x, c), ds.sortedOutcomes(y, c), x, y)
				if err != nil {
					return 0, fmt.Errorf("mvh: %s condition %q: %w", ds.Name, c, err)
				}
				sum += k.Kappa
				n++
			}
		}
	}
	if n == 0 {
		return 1, nil // an observer compared with itself
	}
	return sum / float64(n), nil
}

// ConfusionCorrelation compares the category-level error patterns of two
// confusion matrices: the Pearson correlation of their off-diagonal
// percentages (which wrong category each true category is taken for,
// "na" included). 1 means the same confusions in the same proportions.
func ConfusionCorrelation(a, b *ConfusionMatrix) (float64, error) {
	if a == nil || b == nil {
		return 0, fmt.Errorf("mvh: ConfusionCorrelation: nil matrix")
	}
	if fmt.Sprint(a.Columns) != fmt.Sprint(b.Columns) || fmt.Sprint(a.Rows) != fmt.Sprint(b.Rows) {
		return 0, fmt.Errorf("mvh: ConfusionCorrelation: matrices cover different categories (%q vs %q)", a.Columns, b.Columns)
	}
	var xs, ys []float64
	for r, resp := range a.Rows {
		for c, cat := range a.Columns {
			if resp != cat {
				xs = append(xs, a.Percent[r][c])
				ys = append(ys, b.Percent[r][c])
			}
		}
	}
	return pearson(xs, ys)
}

func pearson(xs, ys []float64) (float64, error) {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, fmt.Errorf("mvh: correlation undefined: one observer makes no (or uniform) errors")
	}
	return sxy / math.Sqrt(sxx*syy), nil
}
