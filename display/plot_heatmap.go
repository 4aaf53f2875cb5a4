package display

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heatmaps bigger than this are block-averaged before drawing, and ones
// with more cells than vectorCells are drawn as one raster image, so a
// 2048×2048 cross-correlation stays quick and small.
const (
	maxHeatmapSide = 512
	vectorCells    = 2500
	annotateCells  = 144
)

type heatmapSpec struct {
	title, xLabel, yLabel string
	m                     [][]float64 // rows of the matrix, row 0 drawn at the top
	rowLabels, colLabels  []string
	cmap                  palette.ColorMap
	lo, hi                float64
	annotations           [][]string // per cell text, or nil
	barLabel              string
}

// Heatmap draws a matrix (row 0 at the top) coloured by value, with a
// colour bar. rowLabels and colLabels may be nil; otherwise they name each
// row and column. Small matrices get their values written in the cells.
func Heatmap(title string, m [][]float64, rowLabels, colLabels []string) *Chart {
	return withCopies(func() *Chart { return buildHeatmap(title, m, rowLabels, colLabels) })
}

// buildHeatmap draws Heatmap; see there.
func buildHeatmap(title string, m [][]float64, rowLabels, colLabels []string) *Chart {
	if err := checkMatrix(m, rowLabels, colLabels); err != nil {
		return chartError(fmt.Errorf("display: Heatmap: %w", err))
	}
	lo, hi, _ := matrixRange(m)
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	spec := heatmapSpec{title: title, m: m, rowLabels: rowLabels, colLabels: colLabels,
		cmap: moreland.ExtendedKindlmann(), lo: lo, hi: hi}
	if len(m)*len(m[0]) <= annotateCells {
		spec.annotations = formatCells(m, "%.2g")
	}
	return heatmapChart(spec)
}

// CrossCorrelation draws a cross-correlation matrix such as Barlow Twins'
// C = Z₁ᵀZ₂/N with a diverging palette fixed on [-1, 1], so the ideal
// identity shows as a red diagonal on white.
func CrossCorrelation(c [][]float64) *Chart {
	return withCopies(func() *Chart { return buildCrossCorrelation(c) })
}

// buildCrossCorrelation draws CrossCorrelation; see there.
func buildCrossCorrelation(c [][]float64) *Chart {
	if err := checkMatrix(c, nil, nil); err != nil {
		return chartError(fmt.Errorf("display: CrossCorrelation: %w", err))
	}
	spec := heatmapSpec{title: "Cross-correlation", xLabel: "view B feature", yLabel: "view A feature",
		m: c, cmap: moreland.SmoothBlueRed(), lo: -1, hi: 1, barLabel: "correlation"}
	if len(c)*len(c[0]) <= annotateCells {
		spec.annotations = formatCells(c, "%.2f")
	}
	return heatmapChart(spec)
}

// ConfusionMatrix draws counts[true][predicted] with class names on both
// axes. Cells are coloured by the fraction of their row (per-class recall)
// and labelled with the counts; the title gives the overall accuracy.
func ConfusionMatrix(counts [][]int, classes []string) *Chart {
	return withCopies(func() *Chart { return buildConfusionMatrix(counts, classes) })
}

// buildConfusionMatrix draws ConfusionMatrix; see there.
func buildConfusionMatrix(counts [][]int, classes []string) *Chart {
	n := len(counts)
	if n == 0 {
		return chartError(fmt.Errorf("display: ConfusionMatrix: empty matrix"))
	}
	if classes == nil {
		for i := 0; i < n; i++ {
			classes = append(classes, fmt.Sprint(i))
		}
	}
	if len(classes) != n {
		return chartError(fmt.Errorf("display: ConfusionMatrix: %d class names for %d classes", len(classes), n))
	}
	frac := make([][]float64, n)
	ann := make([][]string, n)
	total, correct := 0, 0
	for i, row := range counts {
		if len(row) != n {
			return chartError(fmt.Errorf("display: ConfusionMatrix: row %d has %d entries, want %d (square)", i, len(row), n))
		}
		sum := 0
		for j, c := range row {
			if c < 0 {
				return chartError(fmt.Errorf("display: ConfusionMatrix: negative count %d at (%d, %d)", c, i, j))
			}
			sum += c
		}
		frac[i] = make([]float64, n)
		ann[i] = make([]string, n)
		for j, c := range row {
			if sum > 0 {
				frac[i][j] = float64(c) / float64(sum)
			}
			ann[i][j] = fmt.Sprint(c)
		}
		total += sum
		correct += row[i]
	}
	title := "Confusion matrix"
	if total > 0 {
		title += fmt.Sprintf(" (accuracy %.1f%%, n=%d)", 100*float64(correct)/float64(total), total)
	}
	spec := heatmapSpec{title: title, xLabel: "predicted", yLabel: "true", m: frac,
		rowLabels: classes, colLabels: classes, cmap: blues(), lo: 0, hi: 1, barLabel: "fraction of true class"}
	if n*n <= 400 {
		spec.annotations = ann
	}
	return heatmapChart(spec)
}

// blues is a sequential white-to-blue map.
func blues() palette.ColorMap {
	cm, err := moreland.NewLuminance([]color.Color{
		color.RGBA{8, 48, 107, 255}, color.RGBA{33, 113, 181, 255},
		color.RGBA{107, 174, 214, 255}, color.RGBA{198, 219, 239, 255}, color.RGBA{247, 251, 255, 255},
	})
	if err != nil { // the controls are constants; this cannot happen
		return moreland.ExtendedKindlmann()
	}
	return palette.Reverse(cm)
}

func checkMatrix(m [][]float64, rowLabels, colLabels []string) error {
	if len(m) == 0 || len(m[0]) == 0 {
		return fmt.Errorf("empty matrix")
	}
	for i, row := range m {
		if len(row) != len(m[0]) {
			return fmt.Errorf("row %d has %d values, row 0 has %d", i, len(row), len(m[0]))
		}
	}
	if rowLabels != nil && len(rowLabels) != len(m) {
		return fmt.Errorf("%d row labels for %d rows", len(rowLabels), len(m))
	}
	if colLabels != nil && len(colLabels) != len(m[0]) {
		return fmt.Errorf("%d column labels for %d columns", len(colLabels), len(m[0]))
	}
	if _, _, n := matrixRange(m); n == 0 {
		return fmt.Errorf("no finite values")
	}
	return nil
}

func matrixRange(m [][]float64) (lo, hi float64, n int) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range m {
		l, h, k := finiteRange(row)
		lo, hi, n = math.Min(lo, l), math.Max(hi, h), n+k
	}
	return lo, hi, n
}

func formatCells(m [][]float64, format string) [][]string {
	out := make([][]string, len(m))
	for i, row := range m {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = fmt.Sprintf(format, v)
		}
	}
	return out
}

// matrixGrid adapts a matrix to gonum's GridXYZ with row 0 at the top.
type matrixGrid struct{ m [][]float64 }

func (g matrixGrid) Dims() (c, r int)   { return len(g.m[0]), len(g.m) }
func (g matrixGrid) Z(c, r int) float64 { return g.m[len(g.m)-1-r][c] }
func (g matrixGrid) X(c int) float64    { return float64(c) }
func (g matrixGrid) Y(r int) float64    { return float64(r) }

// downsample block-averages m so neither side exceeds maxSide.
func downsample(m [][]float64, maxSide int) [][]float64 {
	rows, cols := len(m), len(m[0])
	f := max((rows+maxSide-1)/maxSide, (cols+maxSide-1)/maxSide)
	if f <= 1 {
		return m
	}
	out := make([][]float64, (rows+f-1)/f)
	for i := range out {
		out[i] = make([]float64, (cols+f-1)/f)
		for j := range out[i] {
			sum, n := 0.0, 0
			for y := i * f; y < min((i+1)*f, rows); y++ {
				for x := j * f; x < min((j+1)*f, cols); x++ {
					if v := m[y][x]; !math.IsNaN(v) && !math.IsInf(v, 0) {
						sum += v
						n++
					}
				}
			}
			out[i][j] = math.NaN()
			if n > 0 {
				out[i][j] = sum / float64(n)
			}
		}
	}
	return out
}

func heatmapChart(s heatmapSpec) *Chart {
	origRows, origCols := len(s.m), len(s.m[0])
	m := downsample(s.m, maxHeatmapSide)
	scaled := len(m) != origRows
	if scaled {
		s.annotations = nil
		s.rowLabels, s.colLabels = nil, nil
	}
	rows, cols := len(m), len(m[0])
	s.cmap.SetMin(s.lo)
	s.cmap.SetMax(s.hi)
	hm := plotter.NewHeatMap(matrixGrid{m}, s.cmap.Palette(255))
	hm.Min, hm.Max = s.lo, s.hi
	hm.NaN = color.RGBA{200, 200, 200, 255}
	hm.Underflow, hm.Overflow = hm.Palette.Colors()[0], hm.Palette.Colors()[254]
	hm.Rasterized = rows*cols > vectorCells

	p := newPlot()
	p.Title.Text = s.title
	p.X.Label.Text = s.xLabel
	p.Y.Label.Text = s.yLabel
	if scaled {
		p.X.Label.Text += fmt.Sprintf(" (%d×%d shown as %d×%d block means)", origRows, origCols, rows, cols)
	}
	p.Add(hm)
	p.X.Tick.Marker = indexTicks(cols, s.colLabels, false, origCols)
	p.Y.Tick.Marker = indexTicks(rows, s.rowLabels, true, origRows)
	if s.colLabels != nil && longest(s.colLabels)*cols > 60 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	if s.annotations != nil {
		if l := cellLabels(m, s.annotations, s.cmap); l != nil {
			p.Add(l)
		}
	}

	bar := newPlot()
	bar.Title.Text = " "
	bar.HideX()
	bar.Y.Label.Text = s.barLabel
	bar.Add(stepBar{cmap: s.cmap, steps: colourBarSteps})
	barW := 1.2 * vg.Inch
	drawBoth := func(dc draw.Canvas) {
		w := dc.Max.X - dc.Min.X
		p.Draw(draw.Crop(dc, 0, -barW, 0, 0))
		bar.Draw(draw.Crop(dc, w-barW+vg.Points(10), -vg.Points(12), vg.Points(30), 0))
	}
	c := newChart(drawBoth, nil, DefaultWidth*vg.Inch+barW/2, DefaultHeight*vg.Inch+vg.Inch/2)
	c.title = s.title
	return c
}

// indexTicks labels rows or columns by name or index; at most about 20
// ticks are drawn. Reversed axes number rows from the top.
func indexTicks(n int, labels []string, reversed bool, origN int) plot.ConstantTicks {
	step := 1
	if n > 20 {
		step = (n + 19) / 20
	}
	scale := float64(origN) / float64(n)
	var ticks plot.ConstantTicks
	for i := 0; i < n; i += step {
		pos := float64(i)
		if reversed {
			pos = float64(n - 1 - i)
		}
		label := fmt.Sprint(int(float64(i) * scale))
		if labels != nil {
			label = labels[i]
		}
		ticks = append(ticks, plot.Tick{Value: pos, Label: label})
	}
	return ticks
}

func longest(ss []string) int {
	n := 0
	for _, s := range ss {
		n = max(n, len([]rune(s)))
	}
	return n
}

// cellLabels writes each cell's text, white on dark cells.
func cellLabels(m [][]float64, ann [][]string, cmap palette.ColorMap) *plotter.Labels {
	rows := len(m)
	var xys plotter.XYs
	var texts []string
	for i, row := range ann {
		for j, t := range row {
			xys = append(xys, plotter.XY{X: float64(j), Y: float64(rows - 1 - i)})
			texts = append(texts, t)
		}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil
	}
	k := 0
	for i, row := range ann {
		for j := range row {
			st := l.TextStyle[k]
			st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
			st.Font.Size = vg.Points(10)
			st.Color = color.Black
			if isDark(cmap, m[i][j]) {
				st.Color = color.White
			}
			l.TextStyle[k] = st
			k++
		}
	}
	return l
}

// isDark says whether the colour of v is dark enough to need white text.
func isDark(cmap palette.ColorMap, v float64) bool {
	v = math.Max(cmap.Min(), math.Min(cmap.Max(), v))
	c, err := cmap.At(v)
	if err != nil {
		return false
	}
	r, g, b, _ := c.RGBA()
	lum := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
	return lum < 0.45
}

// colourBarSteps is the number of colours in a heatmap's colour bar:
// smooth to the eye, and each step several pixels tall in the 2× PNG, so
// the PNG keeps every step's colour exactly (see encodeChartPNG).
const colourBarSteps = 128

// stepBar is a vertical colour bar drawn as steps of flat colour.
// gonum's plotter.ColorBar draws a one-pixel-wide image that the raster
// canvas stretches with interpolation, making every pixel row a colour of
// its own.
type stepBar struct {
	cmap  palette.ColorMap
	steps int
}

// Plot implements plot.Plotter.
func (b stepBar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo, hi := b.cmap.Min(), b.cmap.Max()
	d := (hi - lo) / float64(b.steps)
	x0, x1 := trX(0), trX(1)
	for i := 0; i < b.steps; i++ {
		clr, err := b.cmap.At(lo + d*(float64(i)+0.5))
		if err != nil {
			continue
		}
		// Each step reaches half-way into the next one, which is drawn
		// over it: no background shows through the anti-aliased seams.
		top := lo + d*(float64(i)+1.5)
		if i == b.steps-1 {
			top = hi
		}
		y0, y1 := trY(lo+d*float64(i)), trY(top)
		c.FillPolygon(clr, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
}

// DataRange implements plot.DataRanger.
func (b stepBar) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, b.cmap.Min(), b.cmap.Max()
}
