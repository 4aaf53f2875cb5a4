package mvh

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Stimulus is one image a model must classify to join the benchmark.
type Stimulus struct {
	Dataset   string
	Condition string // the toolbox's condition name ("NaN" where models have none)
	Category  string // true category
	ImageName string // file name in the toolbox's datasets
}

// Stimuli returns the images of a dataset in the order the published models
// saw them, read from a published model's trials (ResNet-50's where present).
// A model's decisions for these images, in this order, are what
// ModelTrials and AddModel take.
func (d *Data) Stimuli(dataset string) ([]Stimulus, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	models := ds.Models()
	if len(models) == 0 {
		return nil, fmt.Errorf("mvh: dataset %s has no model trials to take the stimuli from", dataset)
	}
	ref := models[0]
	for _, m := range models {
		if m == "resnet50" {
			ref = m
		}
	}
	var trials []Trial
	for _, t := range ds.trials {
		if t.Subject == ref {
			trials = append(trials, t)
		}
	}
	sort.SliceStable(trials, func(i, j int) bool { return trials[i].Number < trials[j].Number })
	out := make([]Stimulus, len(trials))
	for i, t := range trials {
		out[i] = Stimulus{Dataset: dataset, Condition: t.Condition, Category: t.Category, ImageName: t.ImageName}
	}
	return out, nil
}

// AllStimuli returns Stimuli for every benchmark dataset present, in
// dataset order.
func (d *Data) AllStimuli() ([]Stimulus, error) {
	var out []Stimulus
	for _, name := range d.Datasets() {
		if _, ok := findExperiment(name); !ok {
			continue
		}
		s, err := d.Stimuli(name)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

// checkModelName rejects names the analyses would mistake for humans.
func checkModelName(model string) error {
	switch {
	case model == "":
		return fmt.Errorf("mvh: empty model name")
	case IsHuman(model) || model == HumansName:
		return fmt.Errorf("mvh: model name %q is reserved for human participants", model)
	case strings.ContainsAny(model, ",\n\"/"):
		return fmt.Errorf("mvh: model name %q contains a comma, quote, slash or newline", model)
	}
	return nil
}

// ModelTrials turns a model's 16-class decisions (one of Categories, or "na")
// for stimuli, in the same order, into trials in the toolbox's format.
// Trials are numbered per dataset in stimulus order.
func ModelTrials(model string, stimuli []Stimulus, decisions []string) ([]Trial, error) {
	if err := checkModelName(model); err != nil {
		return nil, err
	}
	if len(stimuli) == 0 {
		return nil, fmt.Errorf("mvh: ModelTrials: no stimuli")
	}
	if len(decisions) != len(stimuli) {
		return nil, fmt.Errorf("mvh: ModelTrials: %d decisions for %d stimuli", len(decisions), len(stimuli))
	}
	number := map[string]int{}
	out := make([]Trial, len(stimuli))
	for i, s := range stimuli {
		dec := decisions[i]
		if dec != NoResponse && !IsCategory(dec) {
			return nil, fmt.Errorf("mvh: ModelTrials: decision %d (%s) is %q, not one of the 16 categories or %q", i, s.ImageName, dec, NoResponse)
		}
		if !IsCategory(s.Category) {
			return nil, fmt.Errorf("mvh: ModelTrials: stimulus %d (%s) has category %q", i, s.ImageName, s.Category)
		}
		number[s.Dataset]++
		out[i] = Trial{Subject: model, Session: "1", Number: number[s.Dataset], RT: math.NaN(),
			Response: dec, Category: s.Category, Condition: s.Condition, ImageName: s.ImageName}
	}
	return out, nil
}

// ModelTrialsFromProbabilities is ModelTrials for 1000-class ImageNet
// probabilities (softmax outputs, one row per stimulus), mapped to 16
// classes with Decide16.
func ModelTrialsFromProbabilities(model string, stimuli []Stimulus, probs [][]float64) ([]Trial, error) {
	if len(probs) != len(stimuli) {
		return nil, fmt.Errorf("mvh: ModelTrialsFromProbabilities: %d probability rows for %d stimuli", len(probs), len(stimuli))
	}
	decisions := make([]string, len(probs))
	for i, p := range probs {
		dec, err := Decide16(p)
		if err != nil {
			return nil, fmt.Errorf("mvh: stimulus %d (%s): %w", i, stimuli[i].ImageName, err)
		}
		decisions[i] = dec
	}
	return ModelTrials(model, stimuli, decisions)
}

// AddModel puts a model's decisions for stimuli (from Stimuli or
// AllStimuli) into the data, beside the published models: every table and
// plot that lists models then includes it.
func (d *Data) AddModel(model string, stimuli []Stimulus, decisions []string) error {
	trials, err := ModelTrials(model, stimuli, decisions)
	if err != nil {
		return err
	}
	byDataset := map[string][]Trial{}
	var order []string
	for i, t := range trials {
		ds := stimuli[i].Dataset
		if ds == "" {
			return fmt.Errorf("mvh: AddModel: stimulus %d (%s) names no dataset", i, t.ImageName)
		}
		if _, ok := byDataset[ds]; !ok {
			order = append(order, ds)
		}
		byDataset[ds] = append(byDataset[ds], t)
	}
	for _, ds := range order {
		if set, ok := d.sets[ds]; ok && set.HasSubject(model) {
			return fmt.Errorf("mvh: AddModel: dataset %s already has trials of %q", ds, model)
		}
	}
	for _, ds := range order {
		if err := d.AddTrials(ds, byDataset[ds]); err != nil {
			return err
		}
	}
	return nil
}

// AddModelProbabilities is AddModel for 1000-class ImageNet probabilities.
func (d *Data) AddModelProbabilities(model string, stimuli []Stimulus, probs [][]float64) error {
	trials, err := ModelTrialsFromProbabilities(model, stimuli, probs)
	if err != nil {
		return err
	}
	decisions := make([]string, len(trials))
	for i, t := range trials {
		decisions[i] = t.Response
	}
	return d.AddModel(model, stimuli, decisions)
}

// WriteSubjectFiles writes subject's trials on every dataset as
// <dir>/<dataset>/<dataset>_<subject>_session-1.csv (underscores in the
// name become dashes, as in the toolbox), the layout Load and the toolbox
// read. It returns the files written.
func (d *Data) WriteSubjectFiles(dir, subject string) ([]string, error) {
	var written []string
	for _, name := range d.Datasets() {
		ds := d.sets[name]
		if !ds.HasSubject(subject) || subject == HumansName {
			continue
		}
		var trials []Trial
		for _, t := range ds.trials {
			if t.Subject == subject {
				trials = append(trials, t)
			}
		}
		sort.SliceStable(trials, func(i, j int) bool { return trials[i].Number < trials[j].Number })
		p := filepath.Join(dir, name, fmt.Sprintf("%s_%s_session-1.csv", name, strings.ReplaceAll(subject, "_", "-")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("mvh: %w", err)
		}
		f, err := os.Create(p)
		if err != nil {
			return written, fmt.Errorf("mvh: %w", err)
		}
		err = WriteTrials(f, trials)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, fmt.Errorf("mvh: writing %s: %w", p, err)
		}
		written = append(written, p)
	}
	if len(written) == 0 {
		return nil, fmt.Errorf("mvh: no trials of %q to write", subject)
	}
	return written, nil
}
