package mvh

import (
	"fmt"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// defaultSubjects is every model of the dataset, then the humans.
func defaultSubjects(ds *Dataset, subjects []string) []string {
	if len(subjects) > 0 {
		return subjects
	}
	return append(ds.Models(), HumansName)
}

// curveFunc computes one subject's per-condition values on a dataset.
type curveFunc func(d *Data, dataset, subject string) ([]ConditionValue, error)

// AccuracyPlot draws accuracy against distortion level on a dataset for
// each subject (nil: every model and the pooled humans), with chance (1/16)
// dashed, like the paper's noise-robustness panels. For datasets without
// distortion levels it draws one point per subject.
func AccuracyPlot(d *Data, dataset string, subjects []string) (*plot.Plot, error) {
	p, err := conditionPlot(d, dataset, subjects, (*Data).ConditionAccuracy)
	if err != nil {
		return nil, err
	}
	p.Y.Label.Text = "Classification accuracy"
	p.Y.Min, p.Y.Max = 0, 1
	addHLine(p, 1.0/16, "chance")
	return p, nil
}

// ErrorConsistencyPlot draws each subject's error consistency with the
// human participants (mean kappa over participants) against distortion
// level; the humans' line is the human-vs-human baseline.
func ErrorConsistencyPlot(d *Data, dataset string, subjects []string) (*plot.Plot, error) {
	p, err := conditionPlot(d, dataset, subjects, (*Data).ConditionErrorConsistency)
	if err != nil {
		return nil, err
	}
	p.Y.Label.Text = "Error consistency (kappa)"
	p.Y.Min, p.Y.Max = -0.2, 1
	p.Legend.Top = true
	addHLine(p, 0, "")
	return p, nil
}

func conditionPlot(d *Data, dataset string, subjects []string, f curveFunc) (*plot.Plot, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	subjects = defaultSubjects(ds, subjects)
	p := plot.New()
	p.Title.Text = dataset
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	labels, xlabel := ds.ConditionLabels()
	if len(labels) == 0 {
		// No distortion levels: one column per subject.
		p.X.Label.Text = ""
		for i, s := range subjects {
			vals, err := f(d, dataset, s)
			if err != nil {
				return nil, err
			}
			sc, err := plotter.NewScatter(plotter.XYs{{X: float64(i), Y: vals[0].Value}})
			if err != nil {
				return nil, err
			}
			styleGlyph(&sc.GlyphStyle, s)
			p.Add(sc)
		}
		p.NominalX(subjects...)
		p.X.Tick.Label.Rotation = 0.6
		p.X.Tick.Label.XAlign = draw.XRight
		return p, nil
	}
	p.X.Label.Text = xlabel
	index := map[string]int{}
	for i, c := range ds.Conditions() {
		index[c] = i
	}
	for _, s := range subjects {
		vals, err := f(d, dataset, s)
		if err != nil {
			return nil, err
		}
		xys := make(plotter.XYs, len(vals))
		for i, v := range vals {
			xys[i] = plotter.XY{X: float64(index[v.Condition]), Y: v.Value}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.Color = ColourOf(s)
		line.Width = vg.Points(1.5)
		styleGlyph(&points.GlyphStyle, s)
		p.Add(line, points)
		p.Legend.Add(s, line, points)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.3, float64(len(labels))-0.7
	return p, nil
}

func styleGlyph(g *draw.GlyphStyle, subject string) {
	g.Color = ColourOf(subject)
	g.Shape = glyphOf(subject)
	g.Radius = vg.Points(3.5)
}

// addHLine draws a dashed horizontal reference line across the x range.
func addHLine(p *plot.Plot, y float64, name string) {
	f := plotter.NewFunction(func(float64) float64 { return y })
	f.Color = color.Gray{Y: 120}
	f.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(f)
	if name != "" {
		p.Legend.Add(name, f)
	}
}

// ShapeBiasPlot draws the fraction of shape decisions per category on the
// cue-conflict images (the paper's shape-bias figure): one row per shape
// category, one marker per subject (nil: every model and the pooled
// humans), and a vertical line at each subject's overall shape bias.
func ShapeBiasPlot(d *Data, subjects []string) (*plot.Plot, error) {
	ds, err := d.Dataset("cue-conflict")
	if err != nil {
		return nil, err
	}
	subjects = defaultSubjects(ds, subjects)
	cats := Categories()
	p := plot.New()
	p.Title.Text = "Shape bias (cue-conflict)"
	p.X.Label.Text = "Fraction of 'shape' decisions"
	p.X.Min, p.X.Max = 0, 1
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	for _, s := range subjects {
		overall, err := d.ShapeBias(s)
		if err != nil {
			return nil, err
		}
		per, err := d.ShapeBiasByCategory(s)
		if err != nil {
			return nil, err
		}
		row := map[string]int{}
		for i, c := range cats {
			row[c] = i
		}
		var xys plotter.XYs
		for _, r := range per {
			if r.ShapeBias >= 0 {
				xys = append(xys, plotter.XY{X: r.ShapeBias, Y: float64(row[r.Category])})
			}
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		styleGlyph(&sc.GlyphStyle, s)
		line, err := plotter.NewLine(plotter.XYs{{X: overall.ShapeBias, Y: -0.5}, {X: overall.ShapeBias, Y: float64(len(cats)) - 0.5}})
		if err != nil {
			return nil, err
		}
		line.Color = ColourOf(s)
		p.Add(line, sc)
		p.Legend.Add(fmt.Sprintf("%s (%.1f%%)", s, 100*overall.ShapeBias), sc)
	}
	p.NominalY(cats...)
	// Headroom above the categories keeps the legend off the markers.
	p.Y.Min, p.Y.Max = -0.5, float64(len(cats))-0.5+0.8*float64(len(subjects))
	return p, nil
}

// ConfusionPlot draws a confusion matrix as a heat map: presented category
// on x, response on y ("na" at the bottom), colour = percent of the column.
func ConfusionPlot(m *ConfusionMatrix) (*plot.Plot, error) {
	if m == nil || len(m.Columns) == 0 {
		return nil, fmt.Errorf("mvh: ConfusionPlot: empty matrix")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s on %s", m.Subject, m.Dataset)
	p.X.Label.Text = "Presented category"
	p.Y.Label.Text = "Response"
	h := plotter.NewHeatMap(confusionGrid{m}, whiteToBlue(64))
	h.Min, h.Max = 0, 100
	p.Add(h)
	p.NominalX(m.Columns...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign = draw.XRight
	p.NominalY(m.Rows...)
	return p, nil
}

type confusionGrid struct{ m *ConfusionMatrix }

func (g confusionGrid) Dims() (c, r int)   { return len(g.m.Columns), len(g.m.Rows) }
func (g confusionGrid) Z(c, r int) float64 { return g.m.Percent[r][c] }
func (g confusionGrid) X(c int) float64    { return float64(c) }
func (g confusionGrid) Y(r int) float64    { return float64(r) }

// colours is a palette.Palette.
type colours []color.Color

func (c colours) Colors() []color.Color { return c }

func whiteToBlue(n int) colours {
	out := make(colours, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{uint8(255 - t*(255-8)), uint8(255 - t*(255-48)), uint8(255 - t*(255-107)), 255}
	}
	return out
}

// Benchmark metric names for BenchmarkPlot.
const (
	MetricAccuracyDifference  = "accuracy difference"
	MetricObservedConsistency = "observed consistency"
	MetricErrorConsistency    = "error consistency"
	MetricOODAccuracy         = "OOD accuracy"
)

// Value returns one of the benchmark metrics by name (the Metric constants).
func (s Scores) Value(metric string) (float64, error) {
	switch metric {
	case MetricAccuracyDifference:
		return s.AccuracyDifference, nil
	case MetricObservedConsistency:
		return s.ObservedConsistency, nil
	case MetricErrorConsistency:
		return s.ErrorConsistency, nil
	case MetricOODAccuracy:
		return s.OODAccuracy, nil
	}
	return 0, fmt.Errorf("mvh: unknown metric %q (want %q, %q, %q or %q)", metric,
		MetricAccuracyDifference, MetricObservedConsistency, MetricErrorConsistency, MetricOODAccuracy)
}

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

// ConsistencyMatrixPlot draws an error-consistency matrix as a heat map with
// the kappa of each pair written in its cell (colour from kappa 0 to 1).
func ConsistencyMatrixPlot(m *ConsistencyMatrix) (*plot.Plot, error) {
	if m == nil || len(m.Subjects) == 0 {
		return nil, fmt.Errorf("mvh: ConsistencyMatrixPlot: empty matrix")
	}
	p := plot.New()
	p.Title.Text = "Error consistency (kappa) on " + m.Dataset
	h := plotter.NewHeatMap(kappaGrid{m}, whiteToBlue(64))
	h.Min, h.Max = 0, 1
	h.Underflow = color.White
	h.Overflow = whiteToBlue(2)[1]
	p.Add(h)
	var cells plotter.XYLabels
	for i := range m.Subjects {
		for j := range m.Subjects {
			cells.XYs = append(cells.XYs, plotter.XY{X: float64(j), Y: float64(i)})
			cells.Labels = append(cells.Labels, three(m.Kappa[i][j]))
		}
	}
	labels, err := plotter.NewLabels(cells)
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		if k := m.Kappa[i/len(m.Subjects)][i%len(m.Subjects)]; k > 0.6 {
			labels.TextStyle[i].Color = color.White // readable on dark cells
		}
		labels.TextStyle[i].Font.Size = vg.Points(7)
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YCenter
	}
	p.Add(labels)
	p.NominalX(m.Subjects...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign = draw.XRight
	p.NominalY(m.Subjects...)
	return p, nil
}

type kappaGrid struct{ m *ConsistencyMatrix }

func (g kappaGrid) Dims() (c, r int)   { return len(g.m.Subjects), len(g.m.Subjects) }
func (g kappaGrid) Z(c, r int) float64 { return g.m.Kappa[r][c] }
func (g kappaGrid) X(c int) float64    { return float64(c) }
func (g kappaGrid) Y(r int) float64    { return float64(r) }

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
