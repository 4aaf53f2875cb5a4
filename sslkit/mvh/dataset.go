package mvh

import (
	"sort"
	"sync"
)

// Dataset holds all observers' trials on one dataset. Analyses may run
// concurrently; adding trials must not overlap with them.
type Dataset struct {
	Name   string
	trials []Trial
	mu     sync.Mutex // guards the lazily built index and cache
	// index: subject -> condition -> trials, rebuilt after each change.
	index map[string]map[string][]Trial
	// outcomes caches byImage per subject and condition for the benchmark.
	outcomes map[[2]string][]imageOutcome
}

// indexed returns the subject -> condition -> trials index, built on first
// use.
func (ds *Dataset) indexed() map[string]map[string][]Trial {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.index != nil {
		return ds.index
	}
	index := map[string]map[string][]Trial{}
	for _, t := range ds.trials {
		bc, ok := index[t.Subject]
		if !ok {
			bc = map[string][]Trial{}
			index[t.Subject] = bc
		}
		bc[t.Condition] = append(bc[t.Condition], t)
	}
	ds.index = index
	return index
}

// Subjects returns the dataset's observers, humans and models, sorted.
func (ds *Dataset) Subjects() []string {
	set := map[string]bool{}
	for s := range ds.indexed() {
		set[s] = true
	}
	return sortedKeys(set)
}

// Humans returns the human participants ("subject-NN"), sorted.
func (ds *Dataset) Humans() []string { return ds.filterSubjects(true) }

// Models returns the models, sorted.
func (ds *Dataset) Models() []string { return ds.filterSubjects(false) }

func (ds *Dataset) filterSubjects(human bool) []string {
	var out []string
	for _, s := range ds.Subjects() {
		if IsHuman(s) == human {
			out = append(out, s)
		}
	}
	return out
}

// Conditions returns the dataset's distortion levels in plotting order; for
// the five datasets without levels it returns nil.
func (ds *Dataset) Conditions() []string {
	e, _ := findExperiment(ds.Name)
	if e.name != "" {
		return append([]string(nil), e.conditions...)
	}
	set := map[string]bool{}
	for _, t := range ds.trials {
		set[t.Condition] = true
	}
	if len(set) < 2 {
		return nil
	}
	return sortedKeys(set)
}

// ConditionLabels returns the axis labels of Conditions (the toolbox's
// plotting names, e.g. "greyscale" for "bw") and the axis title.
func (ds *Dataset) ConditionLabels() (labels []string, xlabel string) {
	e, _ := findExperiment(ds.Name)
	conds := ds.Conditions()
	if len(e.labels) == len(conds) && len(conds) > 0 {
		return append([]string(nil), e.labels...), e.xlabel
	}
	xlabel = e.xlabel
	if xlabel == "" {
		xlabel = "Condition"
	}
	return conds, xlabel
}

// BenchmarkConditions returns the conditions the benchmark uses (Conditions
// without ExcludedConditions); nil for datasets without levels, meaning all
// trials.
func (ds *Dataset) BenchmarkConditions() []string {
	excl := map[string]bool{}
	for _, c := range ExcludedConditions(ds.Name) {
		excl[c] = true
	}
	var out []string
	for _, c := range ds.Conditions() {
		if !excl[c] {
			out = append(out, c)
		}
	}
	return out
}

// Trials returns the trials of subject in condition. subject may be
// HumansName for all participants' trials pooled; condition "" means all
// conditions. The result is a copy.
func (ds *Dataset) Trials(subject, condition string) []Trial {
	index := ds.indexed()
	var subjects []string
	if subject == HumansName {
		subjects = ds.Humans()
	} else {
		subjects = []string{subject}
	}
	var out []Trial
	for _, s := range subjects {
		bc := index[s]
		if condition != "" {
			out = append(out, bc[condition]...)
			continue
		}
		for _, c := range sortedKeys(boolKeys(bc)) {
			out = append(out, bc[c]...)
		}
	}
	return out
}

// trialsIn returns subject's trials in the given conditions (all trials when
// conds is empty), pooling humans for HumansName.
func (ds *Dataset) trialsIn(subject string, conds []string) []Trial {
	if len(conds) == 0 {
		return ds.Trials(subject, "")
	}
	var out []Trial
	for _, c := range conds {
		out = append(out, ds.Trials(subject, c)...)
	}
	return out
}

// HasSubject reports whether subject (or HumansName) has trials here.
func (ds *Dataset) HasSubject(subject string) bool {
	if subject == HumansName {
		return len(ds.Humans()) > 0
	}
	_, ok := ds.indexed()[subject]
	return ok
}

func boolKeys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sortedOutcomes returns subject's trials in cond ("" for all) as outcomes
// sorted by image, computed once.
func (ds *Dataset) sortedOutcomes(subject, cond string) []imageOutcome {
	key := [2]string{subject, cond}
	ds.mu.Lock()
	o, ok := ds.outcomes[key]
	ds.mu.Unlock()
	if ok {
		return o
	}
	o = byImage(ds.trialsIn(subject, nonEmpty(cond)))
	ds.mu.Lock()
	if ds.outcomes == nil {
		ds.outcomes = map[[2]string][]imageOutcome{}
	}
	ds.outcomes[key] = o
	ds.mu.Unlock()
	return o
}
