package mvh

import "fmt"

// ConditionValue is one point of a per-condition curve.
type ConditionValue struct {
	Condition string // as the toolbox names it ("c50", "0.03"); "" for a whole dataset
	Label     string // axis label ("50", ".03")
	Value     float64
}

// conditionsOrAll returns the dataset's conditions, or one "" standing for
// all trials when it has none.
func conditionsOrAll(ds *Dataset) []string {
	if c := ds.Conditions(); len(c) > 0 {
		return c
	}
	return []string{""}
}

func labelOf(ds *Dataset, cond string) string {
	labels, _ := ds.ConditionLabels()
	for i, c := range ds.Conditions() {
		if c == cond && i < len(labels) {
			return labels[i]
		}
	}
	return cond
}

// ConditionAccuracy returns subject's accuracy in every condition of a
// dataset (all conditions, none excluded; conditions the subject has no
// trials in are left out). For HumansName the trials of all
// participants are pooled, as in the paper's noise-robustness figures.
func (d *Data) ConditionAccuracy(dataset, subject string) ([]ConditionValue, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	if !ds.HasSubject(subject) {
		return nil, fmt.Errorf("mvh: dataset %s has no trials of %q (have %q and %q)", dataset, subject, HumansName, ds.Models())
	}
	var out []ConditionValue
	for _, c := range conditionsOrAll(ds) {
		acc, err := Accuracy(ds.trialsIn(subject, nonEmpty(c)))
		if err != nil {
			continue // a condition this observer did not see
		}
		out = append(out, ConditionValue{Condition: c, Label: labelOf(ds, c), Value: acc})
	}
	return out, nil
}

// DatasetAccuracy returns subject's accuracy over all trials of a dataset,
// the figure the toolbox writes to raw-data/performances.
func (d *Data) DatasetAccuracy(dataset, subject string) (float64, error) {
	trials, err := d.subjectTrials(dataset, subject, nil)
	if err != nil {
		return 0, err
	}
	return Accuracy(trials)
}

// ConditionErrorConsistency returns, for every condition of a dataset, the
// mean error consistency between subject and each human participant (other
// than subject itself). For HumansName it is the human-vs-human baseline:
// each participant's mean kappa with all others, averaged over participants.
func (d *Data) ConditionErrorConsistency(dataset, subject string) ([]ConditionValue, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	humans := ds.Humans()
	if len(humans) < 2 && subject == HumansName {
		return nil, fmt.Errorf("mvh: dataset %s needs two participants for a human baseline", dataset)
	}
	if len(humans) == 0 {
		return nil, fmt.Errorf("mvh: dataset %s has no human trials", dataset)
	}
	if !ds.HasSubject(subject) {
		return nil, fmt.Errorf("mvh: dataset %s has no trials of %q", dataset, subject)
	}
	var out []ConditionValue
	for _, c := range conditionsOrAll(ds) {
		if subject != HumansName && len(ds.trialsIn(subject, nonEmpty(c))) == 0 {
			continue // a condition this observer did not see
		}
		var v float64
		if subject == HumansName {
			var sum float64
			for _, h := range humans {
				m, err := meanKappaVsHumans(ds, h, humans, c)
				if err != nil {
					return nil, err
				}
				sum += m
			}
			v = sum / float64(len(humans))
		} else {
			v, err = meanKappaVsHumans(ds, subject, humans, c)
			if err != nil {
				return nil, err
			}
		}
		out = append(out, ConditionValue{Condition: c, Label: labelOf(ds, c), Value: v})
	}
	return out, nil
}

func meanKappaVsHumans(ds *Dataset, subject string, humans []string, cond string) (float64, error) {
	a := ds.sortedOutcomes(subject, cond)
	var sum float64
	n := 0
	for _, h := range humans {
		if h == subject {
			continue
		}
		c, err := consistency(a, ds.sortedOutcomes(h, cond), subject, h)
		if err != nil {
			return 0, fmt.Errorf("mvh: %s %s: %w", ds.Name, cond, err)
		}
		sum += c.Kappa
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("mvh: %s: no human to compare %q with", ds.Name, subject)
	}
	return sum / float64(n), nil
}

func nonEmpty(c string) []string {
	if c == "" {
		return nil
	}
	return []string{c}
}
