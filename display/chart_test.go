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

func TestChartsRenderSVGAndPNG(t *testing.T) {
	for name, c := range sampleCharts() {
		t.Run(name, func(t *testing.T) {
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			b := Render(c)
			svg, ok := b.Data["image/svg+xml"].(string)
			if !ok {
				t.Fatalf("no SVG: %v", keys(b))
			}
			checkSVGDoc(t, svg)
			img, err := png.Decode(bytes.NewReader(pngBytes(t, b)))
			if err != nil {
				t.Fatal(err)
			}
			w, h := c.Size()
			wantW, wantH := int(math.Round(w*pngDPI)), int(math.Round(h*pngDPI))
			if img.Bounds().Dx() != wantW || img.Bounds().Dy() != wantH {
				t.Errorf("PNG is %v, want %d×%d", img.Bounds().Size(), wantW, wantH)
			}
			if !notBlank(img) {
				t.Error("PNG is blank")
			}
		})
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
	b := Render(p)
	svg := b.Data["image/svg+xml"].(string)
	checkSVGDoc(t, svg)
	if !strings.Contains(svg, "Hello plot") {
		t.Error("SVG lacks the title text")
	}
	img, err := png.Decode(bytes.NewReader(pngBytes(t, b)))
	if err != nil || img.Bounds().Dx() != 576 || img.Bounds().Dy() != 384 {
		t.Errorf("PNG %v, err %v; want 576×384", img.Bounds(), err)
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
	raw, err := ConfusionMatrix([][]int{{3, 1}, {0, 4}}, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(raw)
	n := strings.Count(svg, "<image ")
	if n == 0 {
		t.Fatal("no colour bar image in the SVG")
	}
	if strings.Count(svg, `preserveAspectRatio="none"`) != n || strings.Contains(svg, "image/jpg") {
		t.Error("embedded images keep their aspect ratio or are mislabelled")
	}
	checkSVGDoc(t, svg)
}
