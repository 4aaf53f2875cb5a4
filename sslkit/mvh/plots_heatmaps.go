package mvh

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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
	h := plotter.NewHeatMap(valueGrid{z: m.Percent, cols: len(m.Columns), rows: len(m.Rows)}, whiteToBlue(64))
	h.Min, h.Max = 0, 100
	p.Add(h)
	nominalAxes(p, m.Columns, m.Rows)
	return p, nil
}

// valueGrid is a plotter.GridXYZ over a table of values indexed [row][column],
// with cells at integer coordinates (the nominal axes' positions).
type valueGrid struct {
	z          [][]float64
	cols, rows int
}

func (g valueGrid) Dims() (c, r int)   { return g.cols, g.rows }
func (g valueGrid) Z(c, r int) float64 { return g.z[r][c] }
func (g valueGrid) X(c int) float64    { return float64(c) }
func (g valueGrid) Y(r int) float64    { return float64(r) }

// nominalAxes names the heat map's columns (slanted, to fit long names)
// and rows.
func nominalAxes(p *plot.Plot, columns, rows []string) {
	p.NominalX(columns...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign = draw.XRight
	p.NominalY(rows...)
}

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

// ConsistencyMatrixPlot draws an error-consistency matrix as a heat map with
// the kappa of each pair written in its cell (colour from kappa 0 to 1).
func ConsistencyMatrixPlot(m *ConsistencyMatrix) (*plot.Plot, error) {
	if m == nil || len(m.Subjects) == 0 {
		return nil, fmt.Errorf("mvh: ConsistencyMatrixPlot: empty matrix")
	}
	p := plot.New()
	p.Title.Text = "Error consistency (kappa) on " + m.Dataset
	h := plotter.NewHeatMap(valueGrid{z: m.Kappa, cols: len(m.Subjects), rows: len(m.Subjects)}, whiteToBlue(64))
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
	nominalAxes(p, m.Subjects, m.Subjects)
	return p, nil
}
