package display

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// BarChart draws one bar per name with height values[i] and, if errs is
// not nil, a symmetric error bar of ±errs[i] (a standard deviation or
// confidence half-width over seeds).
func BarChart(title string, names []string, values, errs []float64) *Chart {
	return withCopies(func() *Chart { return buildBarChart(title, names, values, errs) })
}

// buildBarChart draws BarChart; see there.
func buildBarChart(title string, names []string, values, errs []float64) *Chart {
	if len(names) != len(values) {
		return chartError(fmt.Errorf("display: BarChart: %d names for %d values", len(names), len(values)))
	}
	if errs != nil && len(errs) != len(values) {
		return chartError(fmt.Errorf("display: BarChart: %d errors for %d values", len(errs), len(values)))
	}
	if len(values) == 0 {
		return chartError(fmt.Errorf("display: BarChart: no values"))
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return chartError(fmt.Errorf("display: BarChart: value %d (%q) is %v", i, names[i], v))
		}
		if errs != nil && (math.IsNaN(errs[i]) || math.IsInf(errs[i], 0) || errs[i] < 0) {
			return chartError(fmt.Errorf("display: BarChart: error %d (%q) is %v; want finite and ≥ 0", i, names[i], errs[i]))
		}
	}
	p := newPlot()
	p.Title.Text = title
	width := vg.Points(math.Max(8, math.Min(40, 300/float64(len(values)))))
	bars, err := plotter.NewBarChart(plotter.Values(values), width)
	if err != nil {
		return chartError(fmt.Errorf("display: BarChart: %w", err))
	}
	bars.Color = labelColor(0)
	p.Add(plotter.NewGrid())
	bars.LineStyle.Width = 0
	p.Add(bars)
	if errs != nil {
		eb, err := plotter.NewYErrorBars(barErrors{values, errs})
		if err != nil {
			return chartError(fmt.Errorf("display: BarChart: %w", err))
		}
		eb.LineStyle.Width = vg.Points(1.2)
		eb.CapWidth = width / 2
		p.Add(eb)
	}
	p.NominalX(names...)
	if len(names) > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = -1 // draw.XRight
		p.X.Tick.Label.YAlign = -0.5
	}
	return newChart(p.Draw, p, 0, 0)
}

// barErrors places error bars on the bar centres (x = 0, 1, …).
type barErrors struct{ values, errs []float64 }

func (b barErrors) Len() int                        { return len(b.values) }
func (b barErrors) XY(i int) (float64, float64)     { return float64(i), b.values[i] }
func (b barErrors) YError(i int) (float64, float64) { return b.errs[i], b.errs[i] }
