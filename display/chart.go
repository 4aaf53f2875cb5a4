package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default size of charts in inches. Sizes are inches (as in matplotlib's
// figsize) so notebooks need not import gonum's vg package. A chart shows
// at 96 CSS pixels per inch (576×384 by default) and its PNG is drawn at
// twice that, so it stays sharp on high-density screens.
const (
	DefaultWidth  = 6.0
	DefaultHeight = 4.0
	cssDPI        = 96
	pngScale      = 2
)

// Chart is a drawing (one gonum plot or several laid out together) that
// renders as a PNG drawn at twice its display size (and, on request, an
// SVG). The plot helpers
// (LineChart, Scatter, Histogram, Heatmap, ...) return Charts; a helper
// given bad input returns a Chart that renders its error, also available
// from Err.
type Chart struct {
	draw    func(draw.Canvas)
	plot    *plot.Plot
	width   vg.Length
	height  vg.Length
	title   string // for String when there is no single plot
	err     error
	withSVG bool // Render adds image/svg+xml
	// copy builds an independent twin of the chart, so the SVG and the
	// PNG can be drawn at the same time (gonum's Draw adjusts the plot's
	// axes, so one plot cannot be drawn twice at once). Nil once the user
	// may have changed the plot through Plot.
	copy func() *Chart
}

// withCopies builds a chart with build and keeps build to make twins.
func withCopies(build func() *Chart) *Chart {
	c := build()
	if c.err == nil {
		c.copy = build
	}
	return c
}

// NewChart wraps a gonum plot so it renders at the given size in inches.
// Zero sizes mean the defaults. Tick labels, axis labels and legend text
// smaller than minTextPoints are raised to it, so they stay readable.
func NewChart(p *plot.Plot, widthInches, heightInches float64) *Chart {
	if p == nil {
		return chartError(fmt.Errorf("display: NewChart: nil plot"))
	}
	readable(p)
	return newChart(p.Draw, p, vg.Length(widthInches)*vg.Inch, vg.Length(heightInches)*vg.Inch)
}

func newChart(d func(draw.Canvas), p *plot.Plot, width, height vg.Length) *Chart {
	if width <= 0 {
		width = DefaultWidth * vg.Inch
	}
	if height <= 0 {
		height = DefaultHeight * vg.Inch
	}
	return &Chart{draw: d, plot: p, width: width, height: height}
}

func chartError(err error) *Chart { return &Chart{err: err} }

// Err returns the error that stopped the chart being built, or nil.
func (c *Chart) Err() error {
	if c == nil {
		return fmt.Errorf("display: nil chart")
	}
	return c.err
}

// Plot returns the chart's gonum plot for further styling, or nil for
// charts made of several plots (heatmaps with colour bars).
func (c *Chart) Plot() *plot.Plot {
	if c == nil {
		return nil
	}
	c.copy = nil // the caller may restyle the plot; a rebuilt twin would not follow
	return c.plot
}

// Size returns the chart's width and height in inches.
func (c *Chart) Size() (widthInches, heightInches float64) {
	return float64(c.width / vg.Inch), float64(c.height / vg.Inch)
}

// Resize sets the chart's size in inches; non-positive values keep the
// current one. It returns c so calls chain:
// display.Scatter(...).Resize(8, 0).
func (c *Chart) Resize(widthInches, heightInches float64) *Chart {
	if c.err != nil {
		return c
	}
	if widthInches > 0 {
		c.width = vg.Length(widthInches) * vg.Inch
	}
	if heightInches > 0 {
		c.height = vg.Length(heightInches) * vg.Inch
	}
	return c
}

// SVG draws the chart as SVG. Text is drawn in the browser's copy of a
// font metric-compatible with the one gonum measures it with (Liberation,
// Arimo, Arial, ...), so nothing is embedded and a line chart costs a few
// kilobytes.
func (c *Chart) SVG() ([]byte, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	cv := vgsvg.NewWith(vgsvg.UseWH(c.width, c.height), vgsvg.EmbedFonts(false))
	if err := c.drawOn(cv); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("display: writing SVG: %w", err)
	}
	return fixSVGImages(withFontFallbacks(buf.Bytes())), nil
}

// fixSVGImages makes raster images inside an SVG (colour bars,
// rasterised heatmaps) fill their rectangle as they do in the PNG: SVG
// otherwise keeps their aspect ratio, which squeezes a 1-pixel-wide colour
// bar into a hairline. It also labels their PNG data as PNG and keeps
// heatmap cells sharp.
func fixSVGImages(svg []byte) []byte {
	if !bytes.Contains(svg, []byte("<image ")) {
		return svg
	}
	svg = bytes.ReplaceAll(svg, []byte("<image "),
		[]byte(`<image preserveAspectRatio="none" style="image-rendering:pixelated" `))
	return bytes.ReplaceAll(svg, []byte(`xlink:href="data:image/jpg;base64,`), []byte(`xlink:href="data:image/png;base64,`))
}

// Image draws the chart as a raster image at 96 dpi, its display size.
func (c *Chart) Image() (image.Image, error) { return c.imageAt(cssDPI) }

func (c *Chart) imageAt(dpi int) (image.Image, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	cv := vgimg.NewWith(vgimg.UseWH(c.width, c.height), vgimg.UseDPI(dpi))
	if err := c.drawOn(cv); err != nil {
		return nil, err
	}
	return cv.Image(), nil
}

// PNG draws the chart as PNG bytes at 192 dpi, twice its display size,
// as Render does.
func (c *Chart) PNG() ([]byte, error) {
	img, err := c.imageAt(pngScale * cssDPI)
	if err != nil {
		return nil, err
	}
	return encodeChartPNG(img)
}

// WithSVG makes Render add the chart as image/svg+xml beside the PNG, for
// a vector view in live Jupyter (which prefers SVG). It is off by default
// because nbconvert 6.5's HTML export also prefers the SVG and its
// sanitiser strips every path and text from it, leaving a blank box.
// It returns c so calls chain: display.Scatter(...).WithSVG().
func (c *Chart) WithSVG() *Chart {
	if c != nil && c.err == nil {
		c.withSVG = true
	}
	return c
}

// drawOn runs the drawing, turning a panic inside gonum/plot (it panics
// on some degenerate data) into an error.
func (c *Chart) drawOn(cv vg.CanvasSizer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("display: drawing chart: %v", r)
		}
	}()
	c.draw(draw.New(cv))
	return nil
}

// Render returns image/png drawn at twice the chart's size, with
// metadata giving its display size in CSS pixels (so it shows at the right
// size, sharp on high-density screens), and a one-line text/plain; with
// WithSVG also image/svg+xml. A PNG-only bundle is what every viewer
// shows right: Jupyter, nbconvert's HTML export, GitHub, VS Code.
func (c *Chart) Render() Bundle {
	if err := c.Err(); err != nil {
		return errorBundle(err)
	}
	var svg []byte
	svgErr := make(chan error, 1)
	if c.withSVG {
		// The SVG is drawn from a twin while the PNG is drawn (gonum's
		// Draw adjusts the plot's axes, so one plot cannot be drawn twice
		// at once); without a twin, one after the other.
		if c.copy != nil {
			twin := c.copy()
			twin.width, twin.height = c.width, c.height
			go func() {
				var err error
				svg, err = twin.SVG()
				svgErr <- err
			}()
		} else {
			var err error
			svg, err = c.SVG()
			svgErr <- err
		}
	}
	img, err := c.imageAt(pngScale * cssDPI)
	var pngBytes []byte
	if err == nil {
		pngBytes, err = encodeChartPNG(img)
	}
	if c.withSVG {
		if e := <-svgErr; err == nil {
			err = e
		}
	}
	if err != nil {
		return errorBundle(err)
	}
	w, h := c.cssSize()
	b := Bundle{
		Data: map[string]any{
			"image/png":  base64.StdEncoding.EncodeToString(pngBytes),
			"text/plain": c.String(),
		},
		Metadata: map[string]any{
			"image/png": map[string]any{"width": w, "height": h},
		},
	}
	if c.withSVG {
		b.Data["image/svg+xml"] = string(svg)
	}
	return b
}

// cssSize is the chart's display size in CSS pixels.
func (c *Chart) cssSize() (w, h int) {
	return int(math.Round(float64(c.width/vg.Inch) * cssDPI)), int(math.Round(float64(c.height/vg.Inch) * cssDPI))
}

// String describes the chart in one line.
func (c *Chart) String() string {
	if c == nil {
		return "<nil chart>"
	}
	if c.err != nil {
		return c.err.Error()
	}
	title := c.title
	if c.plot != nil {
		title = c.plot.Title.Text
	}
	if title != "" {
		title = fmt.Sprintf(" %q", title)
	}
	return fmt.Sprintf("chart%s (%.3g×%.3g in)", title, float64(c.width/vg.Inch), float64(c.height/vg.Inch))
}
