package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// imageBundle encodes img as PNG. The metadata carries its size so
// frontends lay it out before decoding.
func imageBundle(img image.Image) (Bundle, error) {
	data, err := encodePNG(img)
	if err != nil {
		return Bundle{}, err
	}
	r := img.Bounds()
	return Bundle{
		Data: map[string]any{
			"image/png":  base64.StdEncoding.EncodeToString(data),
			"text/plain": fmt.Sprintf("%T %d×%d", img, r.Dx(), r.Dy()),
		},
		Metadata: map[string]any{
			"image/png": map[string]any{"width": r.Dx(), "height": r.Dy()},
		},
	}, nil
}

// pngEncoder uses zlib's default level: BestSpeed files are 15-40%
// larger (notebooks store them), BestCompression takes up to ten times as
// long for 3-6% less.
var pngEncoder = png.Encoder{CompressionLevel: png.DefaultCompression}

func encodePNG(img image.Image) ([]byte, error) {
	if img == nil || isNilPointer(img) {
		return nil, fmt.Errorf("display: nil image")
	}
	r := img.Bounds()
	if r.Dx() <= 0 || r.Dy() <= 0 {
		return nil, fmt.Errorf("display: empty image (%d×%d)", r.Dx(), r.Dy())
	}
	if rgba, ok := img.(*image.RGBA); ok && rgba.Opaque() {
		// Grids of greyscale images (Fashion-MNIST, digits) and other
		// images of few colours are stored losslessly in fewer bytes as
		// 8-bit grey or with a palette: a third to a half of RGB.
		if g := asGray(rgba); g != nil {
			img = g
		} else if p := exactPalette(rgba); p != nil {
			img = p
		} else {
			return encodeOpaqueRGBA(rgba)
		}
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("display: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// asGray returns img as an 8-bit grey image when every pixel is grey
// (img is opaque), else nil.
func asGray(img *image.RGBA) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := g.Pix[y*g.Stride:]
		for x := range b.Dx() {
			p := row[4*x : 4*x+3]
			if p[0] != p[1] || p[1] != p[2] {
				return nil
			}
			dst[x] = p[0]
		}
	}
	return g
}

// exactPalette returns an opaque img as a paletted image of the same
// colours when it has at most 256 of them, else nil.
func exactPalette(img *image.RGBA) *image.Paletted {
	var pal color.Palette
	out := mapColours(img, map[uint32]uint8{}, func(k uint32) (uint8, bool) {
		if len(pal) == maxColours {
			return 0, false
		}
		pal = append(pal, color.RGBA{uint8(k >> 16), uint8(k >> 8), uint8(k), 255})
		return uint8(len(pal) - 1), true
	})
	if out != nil {
		out.Palette = pal
	}
	return out
}
