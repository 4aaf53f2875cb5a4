package mvh

import (
	"math"
	"strconv"
	"strings"
)

// experiment describes one of the toolbox's datasets: its distortion levels in
// plotting order (empty for the five datasets without a parametric
// distortion) and the levels the benchmark leaves out.
type experiment struct {
	name       string
	xlabel     string
	conditions []string // canonical condition names, as the toolbox writes them
	labels     []string // axis labels for conditions
	excluded   []string // not OOD (undistorted) or mean human accuracy < 0.2
}

// experiments lists the 17 benchmark datasets in the toolbox's order
// (constants.DEFAULT_DATASETS): the benchmark averages over exactly these.
var experiments = []experiment{
	{name: "edge"},
	{name: "silhouette"},
	{name: "cue-conflict"},
	{name: "colour", xlabel: "Colour", conditions: []string{"cr", "bw"}, labels: []string{"colour", "greyscale"}, excluded: []string{"cr"}},
	{name: "contrast", xlabel: "Contrast in percent",
		conditions: []string{"c100", "c50", "c30", "c15", "c10", "c05", "c03", "c01"},
		labels:     []string{"100", "50", "30", "15", "10", "5", "3", "1"},
		excluded:   []string{"c100", "c03", "c01"}},
	{name: "high-pass", xlabel: "Filter standard deviation",
		conditions: []string{"inf", "3.0", "1.5", "1.0", "0.7", "0.55", "0.45", "0.4"},
		labels:     []string{"inf", "3.0", "1.5", "1.0", ".7", ".55", ".45", ".4"},
		excluded:   []string{"inf", "0.55", "0.45", "0.4"}},
	{name: "low-pass", xlabel: "Filter standard deviation",
		conditions: []string{"0", "1", "3", "5", "7", "10", "15", "40"},
		excluded:   []string{"0", "15", "40"}},
	{name: "phase-scrambling", xlabel: "Phase noise width [deg]",
		conditions: []string{"0", "30", "60", "90", "120", "150", "180"},
		excluded:   []string{"0", "150", "180"}},
	{name: "power-equalisation", xlabel: "Power spectrum",
		conditions: []string{"0", "pow"}, labels: []string{"original", "equalised"}, excluded: []string{"0"}},
	{name: "false-colour", xlabel: "Colour",
		conditions: []string{"True", "False"}, labels: []string{"true", "opponent"}, excluded: []string{"True"}},
	{name: "rotation", xlabel: "Rotation angle [deg]",
		conditions: []string{"0", "90", "180", "270"}, excluded: []string{"0"}},
	{name: "eidolonI", xlabel: "Log2 of 'reach' parameter",
		conditions: []string{"1-10-10", "2-10-10", "4-10-10", "8-10-10", "16-10-10", "32-10-10", "64-10-10", "128-10-10"},
		labels:     eidolonLabels, excluded: []string{"1-10-10", "64-10-10", "128-10-10"}},
	{name: "eidolonII", xlabel: "Log2 of 'reach' parameter",
		conditions: []string{"1-3-10", "2-3-10", "4-3-10", "8-3-10", "16-3-10", "32-3-10", "64-3-10", "128-3-10"},
		labels:     eidolonLabels, excluded: []string{"1-3-10", "32-3-10", "64-3-10", "128-3-10"}},
	{name: "eidolonIII", xlabel: "Log2 of 'reach' parameter",
		conditions: []string{"1-0-10", "2-0-10", "4-0-10", "8-0-10", "16-0-10", "32-0-10", "64-0-10", "128-0-10"},
		labels:     eidolonLabels, excluded: []string{"1-0-10", "16-0-10", "32-0-10", "64-0-10", "128-0-10"}},
	{name: "uniform-noise", xlabel: "Uniform noise width",
		conditions: []string{"0.0", "0.03", "0.05", "0.1", "0.2", "0.35", "0.6", "0.9"},
		labels:     []string{"0.0", ".03", ".05", ".1", ".2", ".35", ".6", ".9"},
		excluded:   []string{"0.0", "0.6", "0.9"}},
	{name: "sketch"},
	{name: "stylized"},
}

var eidolonLabels = []string{"0", "1", "2", "3", "4", "5", "6", "7"}

func findExperiment(name string) (experiment, bool) {
	for _, e := range experiments {
		if e.name == name {
			return e, true
		}
	}
	return experiment{}, false
}

// BenchmarkDatasets returns the names of the 17 datasets of the benchmark in
// the toolbox's order.
func BenchmarkDatasets() []string {
	out := make([]string, len(experiments))
	for i, e := range experiments {
		out[i] = e.name
	}
	return out
}

// ParametricDatasets returns the 12 datasets with graded distortion levels
// (the "noise generalisation" datasets of the accuracy and error-consistency
// line plots).
func ParametricDatasets() []string {
	var out []string
	for _, e := range experiments {
		if len(e.conditions) > 0 {
			out = append(out, e.name)
		}
	}
	return out
}

// ExcludedConditions returns the conditions of a dataset that the benchmark
// leaves out: the undistorted control condition and those where mean human
// accuracy is below 0.2.
func ExcludedConditions(dataset string) []string {
	e, _ := findExperiment(dataset)
	return append([]string(nil), e.excluded...)
}

// canonicalCondition maps a condition as written in a file to the toolbox's
// name for it. The toolbox reads files with pandas, which turns "1" in the
// high-pass column into 1.0 and "true" into True before matching the
// names; this does the same by value. ok is false for a value that names no
// condition of a parametric dataset. Datasets without distortion levels keep
// the value as written.
func canonicalCondition(e experiment, raw string) (string, bool) {
	if len(e.conditions) == 0 {
		return raw, true
	}
	for _, c := range e.conditions {
		if c == raw || strings.EqualFold(c, raw) {
			return c, true
		}
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(v) {
		return raw, false
	}
	for _, c := range e.conditions {
		if cv, err := strconv.ParseFloat(c, 64); err == nil && cv == v {
			return c, true
		}
	}
	return raw, false
}
