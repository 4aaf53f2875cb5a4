package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"
)

// encodeChartPNG writes a chart's raster as an 8-bit paletted PNG. Plots
// are flat colours plus the anti-aliased edges between them: a chart has
// a few hundred to a few thousand distinct colours, nearly all pixels in
// the most frequent ones. Keeping the maxColours most frequent colours
// exactly and mapping the rare edge shades to their nearest kept colour
// is invisible at twice the display resolution, and the file is about a
// third of an RGB PNG (a 2000-point scatter at 192 dpi: 120 kB against
// 400 kB). zlib's best compression would save another 10% at ten times
// the CPU, too slow for charts redrawn while a loop runs.
func encodeChartPNG(img image.Image) ([]byte, error) {
	rgba, ok := img.(*image.RGBA)
	if !ok || !rgba.Opaque() || rgba.Bounds().Empty() {
		return encodePNG(img)
	}
	pal := paletted(rgba)
	var buf bytes.Buffer
	if err := chartEncoder.Encode(&buf, pal); err != nil {
		return nil, fmt.Errorf("display: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// maxColours is the palette size of chart PNGs: 128 colours keep every
// flat colour of a chart and the common shades of its anti-aliased edges;
// against 256 the files are 10–30% smaller and look the same at 2×.
const maxColours = 128

var chartEncoder = png.Encoder{CompressionLevel: png.DefaultCompression}

func rgbKey(p []byte) uint32 { return uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2]) }

// paletted converts an opaque image to at most maxColours colours: the most
// frequent ones, the others replaced by the nearest of those.
func paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// Plots are mostly long runs of one colour: count runs, not pixels,
	// so the map is touched a few times per row.
	counts := map[uint32]int{}
	for y := 0; y < h; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		run, n := rgbKey(row), 0
		for x := 0; x < w; x++ {
			if k := rgbKey(row[4*x:]); k != run {
				counts[run] += n
				run, n = k, 0
			}
			n++
		}
		counts[run] += n
	}
	keys := make([]uint32, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j] // deterministic output
	})
	if len(keys) > maxColours {
		keys = keys[:maxColours]
	}
	pal := make(color.Palette, len(keys))
	index := make(map[uint32]uint8, len(counts))
	for i, k := range keys {
		pal[i] = color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 255}
		index[k] = uint8(i)
	}
	out := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := 0; y < h; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := out.Pix[y*out.Stride:]
		last, li := ^uint32(0), uint8(0)
		for x := 0; x < w; x++ {
			k := rgbKey(row[4*x:])
			if k != last {
				i, ok := index[k]
				if !ok {
					i = uint8(pal.Index(color.RGBA{row[4*x], row[4*x+1], row[4*x+2], 255}))
					index[k] = i
				}
				last, li = k, i
			}
			dst[x] = li
		}
	}
	return out
}
