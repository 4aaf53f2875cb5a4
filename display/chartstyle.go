package display

import (
	"bytes"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Text sizes of the plot helpers, matplotlib's defaults: titles 12 pt,
// everything else 10 pt. Text in any chart is raised to at least
// minTextPoints.
const (
	titlePoints   = 12
	textPoints    = 10
	minTextPoints = 9
)

// sansFont is the plot helpers' typeface: sans-serif like matplotlib's,
// and metric-compatible with Arial and Helvetica, which SVG viewers have.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot is plot.New with the helpers' fonts and sizes.
func newPlot() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = font.From(sansFont, titlePoints)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sansFont, textPoints)
		ax.Tick.Label.Font = font.From(sansFont, textPoints)
	}
	p.Legend.TextStyle.Font = font.From(sansFont, textPoints)
	return p
}

// readable raises text smaller than minTextPoints (tick labels, axis
// labels, legend entries, title) to that size.
func readable(p *plot.Plot) {
	raise := func(f *font.Font) {
		if f.Size < vg.Points(minTextPoints) {
			f.Size = vg.Points(minTextPoints)
		}
	}
	raise(&p.Title.TextStyle.Font)
	raise(&p.X.Label.TextStyle.Font)
	raise(&p.Y.Label.TextStyle.Font)
	raise(&p.X.Tick.Label.Font)
	raise(&p.Y.Tick.Label.Font)
	raise(&p.Legend.TextStyle.Font)
}

// fontFallbacks maps the family gonum writes into an SVG to a list that
// browsers resolve without an embedded font: the Liberation font itself
// where installed, then its metric-compatible twins (Arimo/Arial,
// Tinos/Times New Roman, Cousine/Courier New), then the generic family.
// Same metrics mean text placed by gonum's measurements fits.
var fontFallbacks = []struct{ family, stack string }{
	{"font-family:Liberation Sans;", `font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;`},
	{"font-family:Liberation Serif;", `font-family:'Liberation Serif',Tinos,'Times New Roman',Times,serif;`},
	{"font-family:Liberation Mono;", `font-family:'Liberation Mono',Cousine,'Courier New',monospace;`},
}

func withFontFallbacks(svg []byte) []byte {
	for _, f := range fontFallbacks {
		svg = bytes.ReplaceAll(svg, []byte(f.family), []byte(f.stack))
	}
	return svg
}
