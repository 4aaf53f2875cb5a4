package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default size of charts in inches; PNGs are drawn at 96 dpi (576×384
// pixels). Sizes are inches (as in matplotlib's figsize) so notebooks need
// not import gonum's vg package.
const (
	DefaultWidth  = 6.0
	DefaultHeight = 4.0
	pngDPI        = 96
)

// Chart is a drawing (one gonum plot or several laid out together) that
// renders as SVG with embedded fonts plus a PNG fallback. The plot helpers
// (LineChart, Scatter, Histogram, Heatmap, ...) return Charts; a helper
// given bad input returns a Chart that renders its error, also available
// from Err.
type Chart struct {
	draw   func(draw.Canvas)
	plot   *plot.Plot
	width  vg.Length
	height vg.Length
	title  string // for String when there is no single plot
	err    error
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
// Zero sizes mean the defaults.
func NewChart(p *plot.Plot, widthInches, heightInches float64) *Chart {
	if p == nil {
		return chartError(fmt.Errorf("display: NewChart: nil plot"))
	}
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

// SVG draws the chart as SVG with its fonts embedded, so browsers show the
// same glyphs as the PNG.
func (c *Chart) SVG() ([]byte, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	cv := vgsvg.NewWith(vgsvg.UseWH(c.width, c.height), vgsvg.EmbedFonts(false))
	rec := &fontRecorder{CanvasSizer: cv, faces: map[string]font.Face{}}
	if err := c.drawOn(rec); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(256 << 10)
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("display: writing SVG: %w", err)
	}
	svg, err := withFontFaces(buf.Bytes(), rec.faces)
	if err != nil {
		return nil, err
	}
	return fixSVGImages(svg), nil
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

// Image draws the chart as a raster image at 96 dpi.
func (c *Chart) Image() (image.Image, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	cv := vgimg.NewWith(vgimg.UseWH(c.width, c.height), vgimg.UseDPI(pngDPI))
	if err := c.drawOn(cv); err != nil {
		return nil, err
	}
	return cv.Image(), nil
}

// PNG draws the chart as PNG bytes.
func (c *Chart) PNG() ([]byte, error) {
	img, err := c.Image()
	if err != nil {
		return nil, err
	}
	return encodePNG(img)
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

// Render returns image/svg+xml, image/png and a one-line text/plain.
func (c *Chart) Render() Bundle {
	if err := c.Err(); err != nil {
		return errorBundle(err)
	}
	svg, img, pngBytes, err := c.drawBoth()
	if err != nil {
		return errorBundle(err)
	}
	r := img.Bounds()
	return Bundle{
		Data: map[string]any{
			"image/svg+xml": string(svg),
			"image/png":     base64.StdEncoding.EncodeToString(pngBytes),
			"text/plain":    c.String(),
		},
		Metadata: map[string]any{
			"image/png": map[string]any{"width": r.Dx(), "height": r.Dy()},
		},
	}
}

// drawBoth renders SVG and PNG. The SVG is drawn from a twin while the
// PNG is drawn and compressed, when the chart can make twins; otherwise
// only the PNG compression overlaps the SVG drawing.
func (c *Chart) drawBoth() (svg []byte, img image.Image, pngData []byte, err error) {
	type result struct {
		data []byte
		err  error
	}
	svgDone := make(chan result, 1)
	if c.copy != nil {
		twin := c.copy()
		twin.width, twin.height = c.width, c.height
		go func() {
			data, err := twin.SVG()
			svgDone <- result{data, err}
		}()
		if img, err = c.Image(); err == nil {
			pngData, err = encodePNG(img)
		}
		r := <-svgDone
		if err != nil {
			return nil, nil, nil, err
		}
		return r.data, img, pngData, r.err
	}
	if img, err = c.Image(); err != nil {
		return nil, nil, nil, err
	}
	go func() {
		data, err := encodePNG(img)
		svgDone <- result{data, err}
	}()
	svg, err = c.SVG()
	r := <-svgDone
	if err != nil {
		return nil, nil, nil, err
	}
	return svg, img, r.data, r.err
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
