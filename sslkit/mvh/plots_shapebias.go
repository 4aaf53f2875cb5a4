package mvh

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

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
