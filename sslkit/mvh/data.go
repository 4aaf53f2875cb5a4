package mvh

import (
	"fmt"
	"sort"
)

// Data holds the trials of every dataset, keyed by dataset name.
type Data struct {
	sets map[string]*Dataset
}

// NewData returns an empty Data to fill with AddTrials.
func NewData() *Data { return &Data{sets: map[string]*Dataset{}} }

func (d *Data) add(dataset string, trials []Trial) {
	ds, ok := d.sets[dataset]
	if !ok {
		ds = &Dataset{Name: dataset}
		d.sets[dataset] = ds
	}
	ds.mu.Lock()
	ds.trials = append(ds.trials, trials...)
	ds.index, ds.outcomes = nil, nil
	ds.mu.Unlock()
}

// AddTrials adds trials to a dataset (created if new). The conditions of the
// 12 parametric datasets are normalised as the loaders do; an unknown
// condition or a subject the dataset already has is an error.
func (d *Data) AddTrials(dataset string, trials []Trial) error {
	if len(trials) == 0 {
		return fmt.Errorf("mvh: AddTrials(%q): %w", dataset, errNoTrials)
	}
	e, known := findExperiment(dataset)
	existing := map[string]bool{}
	if ds, ok := d.sets[dataset]; ok {
		for _, s := range ds.Subjects() {
			existing[s] = true
		}
	}
	out := make([]Trial, len(trials))
	for i, t := range trials {
		if t.Subject == "" {
			return fmt.Errorf("mvh: AddTrials(%q): trial %d has no subject", dataset, i)
		}
		if existing[t.Subject] {
			return fmt.Errorf("mvh: AddTrials(%q): dataset already has trials of %q", dataset, t.Subject)
		}
		if !IsCategory(t.Category) {
			return fmt.Errorf("mvh: AddTrials(%q): trial %d: category %q is not one of the 16 categories", dataset, i, t.Category)
		}
		if t.Response != NoResponse && !IsCategory(t.Response) {
			return fmt.Errorf("mvh: AddTrials(%q): trial %d: response %q is neither a category nor %q", dataset, i, t.Response, NoResponse)
		}
		if known {
			c, ok := canonicalCondition(e, t.Condition)
			if !ok {
				return fmt.Errorf("mvh: AddTrials(%q): trial %d: condition %q is not one of %q", dataset, i, t.Condition, e.conditions)
			}
			t.Condition = c
		}
		out[i] = t
	}
	d.add(dataset, out)
	return nil
}

// Datasets returns the names of the datasets present: the benchmark's 17 in
// the toolbox's order first, then any others alphabetically.
func (d *Data) Datasets() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range BenchmarkDatasets() {
		if _, ok := d.sets[name]; ok {
			out = append(out, name)
			seen[name] = true
		}
	}
	var rest []string
	for name := range d.sets {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Dataset returns the trials of one dataset.
func (d *Data) Dataset(name string) (*Dataset, error) {
	ds, ok := d.sets[name]
	if !ok {
		return nil, fmt.Errorf("mvh: no dataset %q (have %q)", name, d.Datasets())
	}
	return ds, nil
}

// Models returns every model that has trials in any dataset, sorted.
func (d *Data) Models() []string {
	set := map[string]bool{}
	for _, ds := range d.sets {
		for _, m := range ds.Models() {
			set[m] = true
		}
	}
	return sortedKeys(set)
}

// NumTrials counts all trials; Humans restricts the count to human ones.
func (d *Data) NumTrials(humansOnly bool) int {
	n := 0
	for _, ds := range d.sets {
		for _, t := range ds.trials {
			if !humansOnly || IsHuman(t.Subject) {
				n++
			}
		}
	}
	return n
}
