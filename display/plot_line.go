package display

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one named line: Y against X. A nil X means 0, 1, 2, ….
type Series struct {
	Name string
	X, Y []float64
}

// LineChart draws series as lines with a legend (for named series).
// Non-finite points (a diverged loss) are left out and counted in the
// x-axis label.
func LineChart(title, xLabel, yLabel string, series ...Series) *Chart {
	return withCopies(func() *Chart { return buildLineChart(title, xLabel, yLabel, series...) })
}

// buildLineChart draws LineChart; see there.
func buildLineChart(title, xLabel, yLabel string, series ...Series) *Chart {
	if len(series) == 0 {
		return chartError(fmt.Errorf("display: LineChart: no series"))
	}
	p := newPlot()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	dropped, named := 0, false
	for i, s := range series {
		pts, skipped, err := finiteXYs(s.X, s.Y)
		if err != nil {
			return chartError(fmt.Errorf("display: LineChart: series %d (%q): %w", i, s.Name, err))
		}
		dropped += skipped
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return chartError(fmt.Errorf("display: LineChart: %w", err))
		}
		l.Color = labelColor(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
			named = true
		}
	}
	if named {
		p.Legend.Top = true
	}
	if dropped > 0 {
		p.X.Label.Text += fmt.Sprintf(" (%d non-finite points omitted)", dropped)
	}
	return newChart(p.Draw, p, 0, 0)
}

// LossCurve draws a training loss per step with a centred moving average
// over it (no lag, unlike an exponential average), on a log scale when
// the loss spans over two decades.
func LossCurve(losses []float64) *Chart {
	return withCopies(func() *Chart { return buildLossCurve(losses) })
}

// buildLossCurve draws LossCurve; see there.
func buildLossCurve(losses []float64) *Chart {
	if len(losses) == 0 {
		return chartError(fmt.Errorf("display: LossCurve: no values"))
	}
	series := []Series{{Name: "loss", Y: losses}}
	if half := len(losses) / 50; half > 0 {
		series = append(series, Series{Name: "moving average", Y: movingAverage(losses, half)})
	}
	c := LineChart("Training loss", "step", "loss", series...)
	if c.err != nil {
		return c
	}
	lo, hi, _ := finiteRange(losses)
	if lo > 0 && hi/lo > 100 {
		c.plot.Y.Scale = plot.LogScale{}
		c.plot.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	return c
}

// movingAverage averages ys over the window [i-half, i+half] (cut at the
// ends), skipping non-finite values so one NaN does not poison the rest.
func movingAverage(ys []float64, half int) []float64 {
	// prefix sums of finite values and of their count
	sum := make([]float64, len(ys)+1)
	cnt := make([]int, len(ys)+1)
	for i, y := range ys {
		sum[i+1], cnt[i+1] = sum[i], cnt[i]
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			sum[i+1] += y
			cnt[i+1]++
		}
	}
	out := make([]float64, len(ys))
	for i := range ys {
		lo, hi := max(0, i-half), min(len(ys), i+half+1)
		if n := cnt[hi] - cnt[lo]; n > 0 {
			out[i] = (sum[hi] - sum[lo]) / float64(n)
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}

func finiteRange(ys []float64) (lo, hi float64, n int) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		lo, hi = math.Min(lo, y), math.Max(hi, y)
		n++
	}
	return lo, hi, n
}

// finiteXYs pairs xs (or indices) with ys, dropping non-finite points.
func finiteXYs(xs, ys []float64) (plotter.XYs, int, error) {
	if xs != nil && len(xs) != len(ys) {
		return nil, 0, fmt.Errorf("%d x values for %d y values", len(xs), len(ys))
	}
	pts := make(plotter.XYs, 0, len(ys))
	dropped := 0
	for i, y := range ys {
		x := float64(i)
		if xs != nil {
			x = xs[i]
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			dropped++
			continue
		}
		pts = append(pts, plotter.XY{X: x, Y: y})
	}
	return pts, dropped, nil
}
