package display

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Scatter draws points (xs[i], ys[i]). labels, if not nil, gives each
// point's class: points are coloured by class with a legend.
func Scatter(title string, xs, ys []float64, labels []int) *Chart {
	return withCopies(func() *Chart { return buildScatter(title, xs, ys, labels) })
}

// buildScatter draws Scatter; see there.
func buildScatter(title string, xs, ys []float64, labels []int) *Chart {
	return scatterChart(title, xs, ys, labels, nil)
}

// scatterChart is Scatter with legend names: names[label] when in range.
func scatterChart(title string, xs, ys []float64, labels []int, names []string) *Chart {
	if len(xs) != len(ys) {
		return chartError(fmt.Errorf("display: Scatter: %d x values for %d y values", len(xs), len(ys)))
	}
	if labels != nil && len(labels) != len(xs) {
		return chartError(fmt.Errorf("display: Scatter: %d labels for %d points", len(labels), len(xs)))
	}
	if len(xs) == 0 {
		return chartError(fmt.Errorf("display: Scatter: no points"))
	}
	p := newPlot()
	p.Title.Text = title
	// The legend sits in a column right of the plot, where it hides no
	// points (inside, a legend of ten classes covers a corner of data).
	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sansFont, textPoints)
	legend.Top = true
	groups, order := groupByLabel(xs, ys, labels)
	dropped := 0
	for gi, lab := range order {
		g := groups[lab]
		pts, skipped, _ := finiteXYs(g.xs, g.ys)
		dropped += skipped
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return chartError(fmt.Errorf("display: Scatter: %w", err))
		}
		s.GlyphStyle = draw.GlyphStyle{
			Color:  labelColor(gi),
			Radius: vg.Points(2.2),
			Shape:  glyphShape(gi),
		}
		p.Add(s)
		if labels != nil {
			legend.Add(className(lab, names), s)
		}
	}
	if dropped > 0 {
		p.X.Label.Text = fmt.Sprintf("(%d non-finite points omitted)", dropped)
	}
	if labels == nil {
		return newChart(p.Draw, p, 0, 0)
	}
	withLegend := func(dc draw.Canvas) {
		w := legend.Rectangle(dc).Size().X + vg.Points(12)
		p.Draw(draw.Crop(dc, 0, -w, 0, 0))
		// Aligned with the top of the plot area, below the title.
		legend.YOffs = -p.Title.TextStyle.Height(p.Title.Text) - vg.Points(6)
		legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-w+vg.Points(6), 0, 0, 0))
	}
	return newChart(withLegend, p, 0, 0)
}

// glyphShape varies the marker once the ten colours run out.
func glyphShape(i int) draw.GlyphDrawer {
	switch (i / len(categorical)) % 3 {
	case 1:
		return draw.SquareGlyph{}
	case 2:
		return draw.TriangleGlyph{}
	}
	return dotGlyph{}
}

type pointGroup struct{ xs, ys []float64 }

// groupByLabel splits points by label; order lists labels ascending.
func groupByLabel(xs, ys []float64, labels []int) (map[int]*pointGroup, []int) {
	groups := map[int]*pointGroup{}
	var order []int
	for i := range xs {
		lab := 0
		if labels != nil {
			lab = labels[i]
		}
		g, ok := groups[lab]
		if !ok {
			g = &pointGroup{}
			groups[lab] = g
			order = append(order, lab)
		}
		g.xs = append(g.xs, xs[i])
		g.ys = append(g.ys, ys[i])
	}
	sort.Ints(order)
	return groups, order
}

// className is names[label], or the label number when names has none.
func className(label int, names []string) string {
	if label >= 0 && label < len(names) && names[label] != "" {
		return names[label]
	}
	return fmt.Sprint(label)
}
