package display

import (
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Grid lays images out in rows with optional captions: the augmentations
// of a batch, the nearest neighbours of a query, a batch tensor. It
// renders as one PNG. Tiles smaller than 64 pixels are enlarged with
// nearest-neighbour sampling so small inputs (32×32) stay visible.
type Grid struct {
	images    []image.Image
	captions  []string
	cols      int
	highlight int // index of a tile drawn with a border, -1 for none
	err       error
}

const (
	gridPad     = 4
	minTileSide = 64
	captionH    = 16
	maxGridW    = 1600 // pixels; wider grids use smaller enlargements
)

// ImageGrid lays out images in cols columns (0 picks a near-square grid).
// captions, if not nil, must have one entry per image.
func ImageGrid(images []image.Image, cols int, captions []string) *Grid {
	g := &Grid{images: images, captions: captions, cols: cols, highlight: -1}
	switch {
	case len(images) == 0:
		g.err = fmt.Errorf("display: ImageGrid: no images")
	case captions != nil && len(captions) != len(images):
		g.err = fmt.Errorf("display: ImageGrid: %d captions for %d images", len(captions), len(images))
	case cols < 0:
		g.err = fmt.Errorf("display: ImageGrid: negative column count %d", cols)
	}
	for i, img := range images {
		if g.err == nil && (img == nil || isNilPointer(img) || img.Bounds().Empty()) {
			g.err = fmt.Errorf("display: ImageGrid: image %d is nil or empty", i)
		}
	}
	if g.cols == 0 {
		g.cols = int(math.Ceil(math.Sqrt(float64(len(images)))))
	}
	if g.cols > len(images) && len(images) > 0 {
		g.cols = len(images)
	}
	return g
}

// Neighbours shows a query image followed by its nearest neighbours, each
// captioned with its distance (distances may be nil). The query gets a
// border.
func Neighbours(query image.Image, neighbours []image.Image, distances []float64) *Grid {
	if distances != nil && len(distances) != len(neighbours) {
		return &Grid{err: fmt.Errorf("display: Neighbours: %d distances for %d neighbours", len(distances), len(neighbours)), highlight: -1}
	}
	imgs := append([]image.Image{query}, neighbours...)
	caps := []string{"query"}
	for i := range neighbours {
		if distances != nil {
			caps = append(caps, fmt.Sprintf("#%d d=%.3g", i+1, distances[i]))
		} else {
			caps = append(caps, fmt.Sprintf("#%d", i+1))
		}
	}
	g := ImageGrid(imgs, len(imgs), caps)
	if len(imgs) > 8 {
		g.cols = 8
	}
	g.highlight = 0
	return g
}

// Err returns the error that stopped the grid being built, or nil.
func (g *Grid) Err() error { return g.err }

// Len returns the number of images in the grid.
func (g *Grid) Len() int { return len(g.images) }

// Image draws the grid.
func (g *Grid) Image() (image.Image, error) {
	if g.err != nil {
		return nil, g.err
	}
	tw, th := 0, 0
	for _, img := range g.images {
		b := img.Bounds()
		tw = max(tw, b.Dx())
		th = max(th, b.Dy())
	}
	scale := 1
	if side := max(tw, th); side < minTileSide {
		scale = (minTileSide + side - 1) / side
	}
	for scale > 1 && g.cols*(tw*scale+gridPad) > maxGridW {
		scale--
	}
	cw, ch := tw*scale, th*scale
	capH := 0
	if g.captions != nil {
		capH = captionH
	}
	rows := (len(g.images) + g.cols - 1) / g.cols
	W := g.cols*(cw+gridPad) + gridPad
	H := rows*(ch+capH+gridPad) + gridPad
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for i, img := range g.images {
		x0 := gridPad + (i%g.cols)*(cw+gridPad)
		y0 := gridPad + (i/g.cols)*(ch+capH+gridPad)
		b := img.Bounds()
		// centre smaller images in their tile
		ox := x0 + (cw-b.Dx()*scale)/2
		oy := y0 + (ch-b.Dy()*scale)/2
		drawScaled(out, img, ox, oy, scale)
		if i == g.highlight {
			drawBorder(out, image.Rect(x0-2, y0-2, x0+cw+2, y0+ch+2), color.RGBA{220, 40, 40, 255})
		}
		if g.captions != nil {
			drawCaption(out, g.captions[i], x0, y0+ch+capH-4, cw)
		}
	}
	return out, nil
}

// Render returns the grid as image/png with a text/plain summary.
func (g *Grid) Render() Bundle {
	img, err := g.Image()
	if err != nil {
		return errorBundle(err)
	}
	data, err := encodePNG(img)
	if err != nil {
		return errorBundle(err)
	}
	r := img.Bounds()
	return Bundle{
		Data: map[string]any{
			"image/png":  base64.StdEncoding.EncodeToString(data),
			"text/plain": g.String(),
		},
		Metadata: map[string]any{"image/png": map[string]any{"width": r.Dx(), "height": r.Dy()}},
	}
}

// String describes the grid in one line.
func (g *Grid) String() string {
	if g.err != nil {
		return g.err.Error()
	}
	rows := (len(g.images) + g.cols - 1) / g.cols
	return fmt.Sprintf("image grid: %d images in %d×%d", len(g.images), rows, g.cols)
}

func drawScaled(dst *image.RGBA, src image.Image, ox, oy, scale int) {
	b := src.Bounds()
	if scale == 1 {
		draw.Draw(dst, image.Rect(ox, oy, ox+b.Dx(), oy+b.Dy()), src, b.Min, draw.Over)
		return
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := src.At(b.Min.X+x, b.Min.Y+y)
			r := image.Rect(ox+x*scale, oy+y*scale, ox+(x+1)*scale, oy+(y+1)*scale)
			draw.Draw(dst, r, &image.Uniform{C: c}, image.Point{}, draw.Over)
		}
	}
}

func drawBorder(dst *image.RGBA, r image.Rectangle, c color.Color) {
	u := &image.Uniform{C: c}
	draw.Draw(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+2), u, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(r.Min.X, r.Max.Y-2, r.Max.X, r.Max.Y), u, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+2, r.Max.Y), u, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(r.Max.X-2, r.Min.Y, r.Max.X, r.Max.Y), u, image.Point{}, draw.Src)
}

// drawCaption writes s with its baseline at y, cut to fit width pixels.
func drawCaption(dst *image.RGBA, s string, x, y, width int) {
	face := basicfont.Face7x13
	maxRunes := width / face.Advance
	if r := []rune(s); len(r) > maxRunes && maxRunes > 0 {
		s = string(r[:maxRunes-1]) + "…"
	}
	d := font.Drawer{Dst: dst, Src: image.Black, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
