package display

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
)

// Histogram draws the distribution of values in bins bins (0 picks about
// √n, between 10 and 100). Non-finite values are left out and counted.
func Histogram(title string, values []float64, bins int) *Chart {
	return withCopies(func() *Chart { return buildHistogram(title, values, bins) })
}

// buildHistogram draws Histogram; see there.
func buildHistogram(title string, values []float64, bins int) *Chart {
	if bins < 0 {
		return chartError(fmt.Errorf("display: Histogram: negative bin count %d", bins))
	}
	vals := make(plotter.Values, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return chartError(fmt.Errorf("display: Histogram: no finite values among %d", len(values)))
	}
	if bins == 0 {
		bins = int(math.Sqrt(float64(len(vals))))
		bins = max(10, min(bins, 100))
	}
	h, err := plotter.NewHist(vals, bins)
	if err != nil {
		return chartError(fmt.Errorf("display: Histogram: %w", err))
	}
	h.FillColor = labelColor(0)
	p := newPlot()
	p.Title.Text = title
	p.Y.Label.Text = "count"
	p.X.Label.Text = fmt.Sprintf("value (n=%d)", len(vals))
	if d := len(values) - len(vals); d > 0 {
		p.X.Label.Text += fmt.Sprintf(", %d non-finite omitted", d)
	}
	p.Add(h)
	return newChart(p.Draw, p, 0, 0)
}
