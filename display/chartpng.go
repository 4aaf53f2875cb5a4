package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"
)

// encodeChartPNG writes a chart's raster as a paletted PNG. A chart is
// flat colours (background, bars, heatmap cells, markers, text and line
// cores) plus the anti-aliased shades on the edges between them: a few
// hundred to a few thousand distinct colours, and the shades, each on a
// handful of edge pixels, are what makes the file large. Flat colours are
// kept exactly; a shade is kept only when no kept colour lies within
// shadeDistance of it, and otherwise drawn in the nearest kept colour. At
// twice the display resolution the merged shades cannot be told apart
// (the edges keep several steps between any two colours), and a line
// chart's PNG is about 30% smaller than with the 128 most frequent colours
// (which also banded colour bars). Images with too many colours to be
// charts are written as RGB.
func encodeChartPNG(img image.Image) ([]byte, error) {
	rgba, ok := img.(*image.RGBA)
	if !ok || !rgba.Opaque() || rgba.Bounds().Empty() {
		return encodePNG(img)
	}
	pal := paletted(rgba)
	if pal == nil {
		return encodeOpaqueRGBA(rgba)
	}
	var buf bytes.Buffer
	if err := chartEncoder.Encode(&buf, pal); err != nil {
		return nil, fmt.Errorf("display: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

const (
	// maxColours is the palette's size limit (8-bit PNG).
	maxColours = 256
	// solidPixels: a colour with at least this many pixels whose four
	// neighbours have the same colour is a flat colour (a heatmap cell, a
	// colour-bar step, a bar, a thick line's core), kept exactly.
	solidPixels = 16
	// shadeDistance is the distance (see distance; black to white is
	// 441) within which an edge shade is drawn in a kept colour instead:
	// a black-on-white edge keeps 11 steps.
	shadeDistance = 40
	// chromaWeight: changes of hue count this many times a change of
	// lightness (see distance).
	chromaWeight = 3
	// maxChartColours: beyond this many distinct colours the image is
	// not chart-like (a photograph inside a plot) and is written as RGB.
	maxChartColours = 1 << 14
)

// The zlib level of chart PNGs. png.BestCompression would save another
// 10% at ten times the CPU (~100 ms a chart), too slow for charts redrawn
// while a loop runs.
var chartEncoder = png.Encoder{CompressionLevel: png.DefaultCompression}

func rgbKey(p []byte) uint32 { return uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2]) }

// colourStat counts a colour's pixels and the flat ones among them.
type colourStat struct {
	key       uint32
	n, inside int
}

// paletted converts an opaque image to at most maxColours colours: its
// flat colours, then the shades (most frequent first) that are further
// than shadeDistance from every colour kept so far; every other pixel
// takes the nearest kept colour. It returns nil when the image has more
// than maxChartColours colours.
func paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stats := map[uint32]*colourStat{}
	// Keys of the row above, this row and the row below.
	up, cur, down := make([]uint32, w), make([]uint32, w), make([]uint32, w)
	fill := func(dst []uint32, y int) {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range dst {
			dst[x] = rgbKey(row[4*x:])
		}
	}
	fill(cur, 0)
	// Plots are mostly long runs of one colour: count runs, not pixels,
	// so the map is touched a few times per row.
	for y := 0; y < h; y++ {
		if y+1 < h {
			fill(down, y+1)
		}
		inner := y > 0 && y+1 < h
		for x0 := 0; x0 < w; {
			k := cur[x0]
			x1 := x0 + 1
			for x1 < w && cur[x1] == k {
				x1++
			}
			s := stats[k]
			if s == nil {
				if len(stats) == maxChartColours {
					return nil
				}
				s = &colourStat{key: k}
				stats[k] = s
			}
			s.n += x1 - x0
			if inner {
				for x := x0 + 1; x < x1-1; x++ {
					if up[x] == k && down[x] == k {
						s.inside++
					}
				}
			}
			x0 = x1
		}
		up, cur, down = cur, down, up
	}
	all := make([]*colourStat, 0, len(stats))
	for _, s := range stats {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].key < all[j].key // deterministic output
	})
	var keep []uint32
	for _, s := range all {
		if s.inside >= solidPixels && len(keep) < maxColours {
			keep = append(keep, s.key)
		}
	}
	for _, s := range all {
		if s.inside >= solidPixels || len(keep) == maxColours {
			continue
		}
		if _, d := nearest(keep, s.key); d > shadeDistance*shadeDistance {
			keep = append(keep, s.key)
		}
	}
	pal := make(color.Palette, len(keep))
	index := make(map[uint32]uint8, len(stats))
	for i, k := range keep {
		pal[i] = color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 255}
		index[k] = uint8(i)
	}
	out := mapColours(img, index, func(k uint32) (uint8, bool) {
		n, _ := nearest(keep, k)
		return uint8(n), true
	})
	out.Palette = pal
	return out
}

// mapColours converts an opaque img to palette indexes: index holds the
// indexes of the colours seen so far, and miss gives (and index then
// keeps) that of a colour not in it, or says false to give up (nil).
// The caller sets the result's palette.
func mapColours(img *image.RGBA, index map[uint32]uint8, miss func(k uint32) (uint8, bool)) *image.Paletted {
	b := img.Bounds()
	out := image.NewPaletted(image.Rect(0, 0, b.Dx(), b.Dy()), nil)
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := out.Pix[y*out.Stride:]
		last, li := ^uint32(0), uint8(0)
		for x := range b.Dx() {
			k := rgbKey(row[4*x:])
			if k != last {
				i, ok := index[k]
				if !ok {
					if i, ok = miss(k); !ok {
						return nil
					}
					index[k] = i
				}
				last, li = k, i
			}
			dst[x] = li
		}
	}
	return out
}

// nearest returns the index of the colour in keys nearest to k and the
// distance to it (see distance); (-1, max) for no keys.
func nearest(keys []uint32, k uint32) (int, int) {
	best, bestD := -1, int(^uint(0)>>1)
	for i, c := range keys {
		if d := distance(k, c); d < bestD {
			best, bestD = i, d
			if d == 0 {
				break
			}
		}
	}
	return best, bestD
}

// distance is the squared RGB distance between two colours with changes
// of hue or saturation counted chromaWeight times: an edge shade drawn a
// little lighter or darker is invisible, one drawn in a tint of a
// neighbouring colour shows as a fringe.
func distance(a, b uint32) int {
	dr := int(a>>16) - int(b>>16)
	dg := int(a>>8&0xff) - int(b>>8&0xff)
	db := int(a&0xff) - int(b&0xff)
	sum := dr + dg + db
	grey := sum * sum / 3                  // the part along the grey axis
	chroma := dr*dr + dg*dg + db*db - grey // the rest
	return grey + chromaWeight*chroma
}
