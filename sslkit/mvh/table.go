package mvh

import (
	"fmt"
	"html"
	"strings"
)

// published holds the toolbox README's benchmark rows.
var published = map[string]Scores{
	"resnet50":                          {AccuracyDifference: .087, ObservedConsistency: .665, ErrorConsistency: .208, OODAccuracy: .559},
	"clip":                              {AccuracyDifference: .023, ObservedConsistency: .758, ErrorConsistency: .281, OODAccuracy: .708},
	"efficientnet_l2_noisy_student_475": {OODAccuracy: .829},
}

// PublishedScores returns the benchmark row the model-vs-human README
// publishes for a model (ResNet-50, CLIP, Noisy Student), for printing beside
// a reproduction. Zero fields, or a zero Scores, were not published.
func PublishedScores(model string) Scores { return published[model] }

// HTML renders the benchmark as a table in the layout of the toolbox's
// README: accuracy difference (lower is better), observed and error
// consistency (higher is better), OOD accuracy, and the mean rank, models by
// mean rank and humans last. The best model value per column is bold.
func (t *BenchmarkTable) HTML() string {
	var b strings.Builder
	b.WriteString(`<table class="mvh-benchmark">` + "\n<thead><tr><th>model</th>" +
		"<th>accuracy difference &darr;</th><th>observed consistency &uarr;</th>" +
		"<th>error consistency &uarr;</th><th>OOD accuracy &uarr;</th><th>mean rank &darr;</th></tr></thead>\n<tbody>\n")
	best := t.bestModelScores()
	bold := func(v, best float64) string {
		s := three(v)
		if s == three(best) {
			return "<b>" + s + "</b>"
		}
		return s
	}
	for _, r := range t.Rows {
		rank := fmt.Sprintf("%.2f", r.MeanRank)
		name := html.EscapeString(r.Name)
		if r.Human {
			rank, name = "&ndash;", "<i>humans (all pairs)</i>"
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", name,
			bold(r.AccuracyDifference, best.AccuracyDifference), bold(r.ObservedConsistency, best.ObservedConsistency),
			bold(r.ErrorConsistency, best.ErrorConsistency), bold(r.OODAccuracy, best.OODAccuracy), rank)
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String()
}

// String renders the table as aligned text.
func (t *BenchmarkTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-52s %8s %8s %8s %8s %6s\n", "model", "acc.diff", "obs.cons", "err.cons", "OOD acc", "rank")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%-52s %8s %8s %8s %8s %6.2f\n", r.Name, three(r.AccuracyDifference), three(r.ObservedConsistency),
			three(r.ErrorConsistency), three(r.OODAccuracy), r.MeanRank)
	}
	return b.String()
}

// bestModelScores returns the best value of each column among models.
func (t *BenchmarkTable) bestModelScores() Scores {
	var s Scores
	first := true
	for _, r := range t.Rows {
		if r.Human {
			continue
		}
		if first {
			s, first = r.Scores, false
			continue
		}
		s.AccuracyDifference = minF(s.AccuracyDifference, r.AccuracyDifference)
		s.ObservedConsistency = maxF(s.ObservedConsistency, r.ObservedConsistency)
		s.ErrorConsistency = maxF(s.ErrorConsistency, r.ErrorConsistency)
		s.OODAccuracy = maxF(s.OODAccuracy, r.OODAccuracy)
	}
	return s
}

// three formats a metric the way the paper does: three decimals, no
// leading zero (".087").
func three(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	if strings.HasPrefix(s, "0.") {
		return s[1:]
	}
	if strings.HasPrefix(s, "-0.") {
		return "-" + s[2:]
	}
	return s
}

func minF(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

func maxF(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// DatasetHTML renders one metric per dataset (rows) and observer (columns)
// as an HTML table: the values Benchmark averages over datasets.
func (t *BenchmarkTable) DatasetHTML(metric string) (string, error) {
	if _, err := (Scores{}).Value(metric); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`<table class="mvh-benchmark-datasets">` + "\n<thead><tr><th>" + html.EscapeString(metric) + "</th>")
	for _, r := range t.Rows {
		b.WriteString("<th>" + html.EscapeString(r.Name) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, name := range BenchmarkDatasets() {
		fmt.Fprintf(&b, "<tr><td>%s</td>", name)
		for _, r := range t.Rows {
			cell := "&ndash;"
			for _, d := range r.Datasets {
				if d.Dataset == name {
					v, _ := d.Value(metric)
					cell = three(v)
				}
			}
			b.WriteString("<td>" + cell + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	return b.String(), nil
}
