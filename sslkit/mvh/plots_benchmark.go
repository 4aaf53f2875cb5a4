package mvh

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BenchmarkPlot draws one benchmark metric for every row as horizontal bars,
// best at the top, like the paper's benchmark bar plots.
func BenchmarkPlot(t *BenchmarkTable, metric string) (*plot.Plot, error) {
	if t == nil || len(t.Rows) == 0 {
		return nil, fmt.Errorf("mvh: BenchmarkPlot: empty table")
	}
	rows := append([]BenchmarkRow(nil), t.Rows...)
	vals := map[string]float64{}
	for _, r := range rows {
		v, err := r.Value(metric)
		if err != nil {
			return nil, err
		}
		vals[r.Name] = v
	}
	// Bars are drawn bottom-up: put the best last.
	lowerIsBetter := metric == MetricAccuracyDifference
	sort.SliceStable(rows, func(i, j int) bool {
		if lowerIsBetter {
			return vals[rows[i].Name] > vals[rows[j].Name]
		}
		return vals[rows[i].Name] < vals[rows[j].Name]
	})
	p := plot.New()
	p.Title.Text = metric
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Name
		bar, err := plotter.NewBarChart(plotter.Values{vals[r.Name]}, vg.Points(9))
		if err != nil {
			return nil, err
		}
		bar.Horizontal = true
		bar.Offset = 0
		bar.XMin = float64(i)
		bar.Color = ColourOf(r.Name)
		bar.LineStyle.Width = 0
		p.Add(bar)
	}
	p.NominalY(names...)
	p.X.Label.Text = metric
	return p, nil
}

// BenchmarkByDatasetPlot draws one benchmark metric per dataset (the 17 on
// x) for each row named in subjects (nil: every row), e.g. each model's
// error consistency with humans on every dataset beside the human baseline.
func BenchmarkByDatasetPlot(t *BenchmarkTable, metric string, subjects []string) (*plot.Plot, error) {
	if t == nil || len(t.Rows) == 0 {
		return nil, fmt.Errorf("mvh: BenchmarkByDatasetPlot: empty table")
	}
	if len(subjects) == 0 {
		for _, r := range t.Rows {
			subjects = append(subjects, r.Name)
		}
	}
	names := BenchmarkDatasets()
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	p := plot.New()
	p.Title.Text = metric + " per dataset"
	p.Y.Label.Text = metric
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	for _, s := range subjects {
		r, ok := t.Row(s)
		if !ok {
			return nil, fmt.Errorf("mvh: BenchmarkByDatasetPlot: no row %q", s)
		}
		var xys plotter.XYs
		for _, d := range r.Datasets {
			v, err := d.Value(metric)
			if err != nil {
				return nil, err
			}
			xys = append(xys, plotter.XY{X: float64(index[d.Dataset]), Y: v})
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		styleGlyph(&sc.GlyphStyle, s)
		p.Add(sc)
		p.Legend.Add(s, sc)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	if p.Y.Min > 0 {
		p.Y.Min = 0 // metrics start at 0; no truncated axis
	}
	p.Y.Max += 0.15 * (p.Y.Max - p.Y.Min) // room for the legend
	return p, nil
}
