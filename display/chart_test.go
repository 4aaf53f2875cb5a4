package display

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func sampleCharts() map[string]*Chart {
	xs := []float64{0, 1, 2, 3, 4, 5}
	ys := []float64{1, 3, 2, 5, 4, 6}
	return map[string]*Chart{
		"line":      LineChart("Accuracy", "epoch", "acc", Series{Name: "train", Y: ys}, Series{Name: "val", X: xs, Y: xs}),
		"loss":      LossCurve([]float64{5, 4, 3, 2.5, math.NaN(), 2, 1.9}),
		"scatter":   Scatter("points", xs, ys, []int{0, 0, 1, 1, 2, 2}),
		"histogram": Histogram("values", ys, 0),
		"heatmap":   Heatmap("m", [][]float64{{1, 2}, {3, 4}, {5, 6}}, []string{"a", "b", "c"}, []string{"x", "y"}),
		"xcorr":     CrossCorrelation([][]float64{{1, 0.1}, {-0.2, 0.9}}),
		"confusion": ConfusionMatrix([][]int{{5, 1}, {2, 7}}, []string{"cat", "dog"}),
		"bar":       BarChart("probe", []string{"a", "b"}, []float64{0.7, 0.8}, []float64{0.01, 0.02}),
	}
}

// TestChartsRenderRetinaPNG checks the bundle every viewer shows right: a
// PNG drawn at twice the display size, whose metadata gives the display
// size, and no SVG (nbconvert 6.5 would pick it and blank it), small
// enough that a notebook of plots stays small.
func TestChartsRenderRetinaPNG(t *testing.T) {
	for name, c := range sampleCharts() {
		t.Run(name, func(t *testing.T) {
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			b := Render(c)
			if _, ok := b.Data["image/svg+xml"]; ok {
				t.Errorf("bundle has an SVG by default: %v", keys(b))
			}
			raw := pngBytes(t, b)
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			w, h := c.Size()
			cssW, cssH := int(math.Round(w*96)), int(math.Round(h*96))
			if dx, dy := img.Bounds().Dx()-2*cssW, img.Bounds().Dy()-2*cssH; dx < -1 || dx > 1 || dy < -1 || dy > 1 {
				t.Errorf("PNG is %v, want %d×%d (2×)", img.Bounds().Size(), 2*cssW, 2*cssH)
			}
			meta, _ := b.Metadata["image/png"].(map[string]any)
			if meta["width"] != cssW || meta["height"] != cssH {
				t.Errorf("PNG metadata %v, want width %d height %d", meta, cssW, cssH)
			}
			if !notBlank(img) {
				t.Error("PNG is blank")
			}
			if len(raw) > 60<<10 {
				t.Errorf("PNG of a small chart is %d bytes", len(raw))
			}
		})
	}
}

func TestWithSVGAddsASmallSVG(t *testing.T) {
	for name, c := range sampleCharts() {
		b := Render(c.WithSVG())
		svg, ok := b.Data["image/svg+xml"].(string)
		if !ok {
			t.Fatalf("%s: no SVG with WithSVG: %v", name, keys(b))
		}
		checkSVGDoc(t, svg)
		if strings.Contains(svg, "@font-face") || strings.Contains(svg, "font/ttf") {
			t.Errorf("%s: SVG embeds a font", name)
		}
		if !strings.Contains(svg, "sans-serif;") {
			t.Errorf("%s: SVG text has no generic font fallback", name)
		}
		if len(svg) > 40<<10 {
			t.Errorf("%s: SVG is %d bytes", name, len(svg))
		}
		if _, ok := b.Data["image/png"]; !ok {
			t.Errorf("%s: WithSVG dropped the PNG", name)
		}
	}
}

// TestChartTextIsReadable measures the height of the legend text in the
// PNG: at 10 pt and 192 dpi a capital letter is about 19 pixels tall
// (7 pt, the old size of some legends, gives 13).
func TestChartTextIsReadable(t *testing.T) {
	c := LineChart("", "", "", Series{Name: "TRAIN", Y: []float64{0, 0}})
	p := c.Plot()
	p.HideAxes()
	p.Legend.Top, p.Legend.Left = true, true
	img, err := c.imageAt(192)
	if err != nil {
		t.Fatal(err)
	}
	top, bottom := -1, -1
	r := img.Bounds()
	for y := r.Min.Y; y < r.Min.Y+r.Dy()/3; y++ {
		for x := r.Min.X; x < r.Min.X+r.Dx()/3; x++ {
			if cr, _, _, _ := img.At(x, y).RGBA(); cr < 0x4000 {
				if top < 0 {
					top = y
				}
				bottom = y
			}
		}
	}
	if h := bottom - top + 1; top < 0 || h < 17 || h > 24 {
		t.Errorf("legend capitals are %d px tall at 192 dpi, want about 19 (10 pt)", h)
	}
}

func TestNewChartRaisesTinyText(t *testing.T) {
	p := plot.New()
	p.Legend.TextStyle.Font.Size = 7
	p.X.Tick.Label.Font.Size = 6
	NewChart(p, 0, 0)
	if p.Legend.TextStyle.Font.Size < minTextPoints || p.X.Tick.Label.Font.Size < minTextPoints {
		t.Errorf("legend %v pt, ticks %v pt; want at least %d", p.Legend.TextStyle.Font.Size, p.X.Tick.Label.Font.Size, minTextPoints)
	}
}

// notBlank says whether img has at least two colours.
func notBlank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			if img.At(x, y) != first {
				return true
			}
		}
	}
	return false
}

func TestGonumPlotRendersWithFonts(t *testing.T) {
	p := plot.New()
	p.Title.Text = "Hello plot"
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	p.Add(l)
	b := Render(NewChart(p, 0, 0).WithSVG())
	svg := b.Data["image/svg+xml"].(string)
	checkSVGDoc(t, svg)
	if !strings.Contains(svg, "Hello plot") {
		t.Error("SVG lacks the title text")
	}
	img, err := png.Decode(bytes.NewReader(pngBytes(t, b)))
	if err != nil || img.Bounds().Dx() != 1152 || img.Bounds().Dy() != 768 {
		t.Errorf("PNG %v, err %v; want 1152×768", img.Bounds(), err)
	}
}

func TestChartTextMentionsContent(t *testing.T) {
	s := Render(ConfusionMatrix([][]int{{3, 1}, {0, 4}}, nil)).Data["text/plain"].(string)
	if !strings.Contains(s, "accuracy 87.5%") {
		t.Errorf("text/plain %q lacks the accuracy", s)
	}
}

func TestChartBadInput(t *testing.T) {
	bad := map[string]*Chart{
		"line no series":        LineChart("t", "x", "y"),
		"line lengths":          LineChart("t", "x", "y", Series{X: []float64{1}, Y: []float64{1, 2}}),
		"loss empty":            LossCurve(nil),
		"scatter lengths":       Scatter("t", []float64{1}, nil, nil),
		"scatter labels":        Scatter("t", []float64{1}, []float64{1}, []int{1, 2}),
		"hist all NaN":          Histogram("t", []float64{math.NaN()}, 0),
		"hist bins":             Histogram("t", []float64{1}, -1),
		"heatmap ragged":        Heatmap("t", [][]float64{{1, 2}, {3}}, nil, nil),
		"heatmap labels":        Heatmap("t", [][]float64{{1}}, []string{"a", "b"}, nil),
		"confusion not square":  ConfusionMatrix([][]int{{1, 2}}, nil),
		"confusion negative":    ConfusionMatrix([][]int{{1, -2}, {0, 1}}, nil),
		"confusion class names": ConfusionMatrix([][]int{{1}}, []string{"a", "b"}),
		"bar lengths":           BarChart("t", []string{"a"}, []float64{1, 2}, nil),
		"bar NaN":               BarChart("t", []string{"a"}, []float64{math.NaN()}, nil),
		"bar negative error":    BarChart("t", []string{"a"}, []float64{1}, []float64{-1}),
		"nil plot":              NewChart(nil, 0, 0),
	}
	for name, c := range bad {
		if c.Err() == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		b := Render(c)
		if s := b.Data["text/plain"].(string); !strings.HasPrefix(s, "display: ") {
			t.Errorf("%s: text %q does not explain the error", name, s)
		}
		if _, ok := b.Data["image/png"]; ok {
			t.Errorf("%s: a failed chart still drew a PNG", name)
		}
	}
}

func TestLargeHeatmapIsDownsampled(t *testing.T) {
	m := make([][]float64, 1024)
	for i := range m {
		m[i] = make([]float64, 1024)
		m[i][i] = 1
	}
	c := CrossCorrelation(m)
	raw, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(raw)
	// a vector heatmap would need a million rectangles
	if strings.Count(svg, "<path") > 2000 {
		t.Errorf("heatmap drawn as %d paths", strings.Count(svg, "<path"))
	}
	if !strings.Contains(svg, "block means") {
		t.Error("downsampling not noted on the axis")
	}
}

func TestMovingAverageSkipsNaN(t *testing.T) {
	got := movingAverage([]float64{1, math.NaN(), 3, 5}, 1)
	want := []float64{1, 2, 4, 4}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("movingAverage = %v, want %v", got, want)
		}
	}
}

func TestResize(t *testing.T) {
	c := Scatter("t", []float64{1, 2}, []float64{1, 2}, nil).Resize(3, 2)
	img, err := c.Image()
	if err != nil || img.Bounds().Dx() != 288 || img.Bounds().Dy() != 192 {
		t.Errorf("resized image %v, err %v", img.Bounds(), err)
	}
}

func TestSVGImagesFillTheirBox(t *testing.T) {
	m := make([][]float64, 60) // 3600 cells: drawn as one raster image
	for i := range m {
		m[i] = make([]float64, 60)
		for j := range m[i] {
			m[i][j] = math.Sin(float64(i*j) / 100)
		}
	}
	raw, err := Heatmap("raster", m, nil, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(raw)
	n := strings.Count(svg, "<image ")
	if n == 0 {
		t.Fatal("no heatmap image in the SVG")
	}
	if strings.Count(svg, `preserveAspectRatio="none"`) != n || strings.Contains(svg, "image/jpg") {
		t.Error("embedded images keep their aspect ratio or are mislabelled")
	}
	checkSVGDoc(t, svg)
}
