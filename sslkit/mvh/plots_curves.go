package mvh

import (
	"image/color"

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
