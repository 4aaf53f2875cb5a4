package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
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

// pngEncoder trades a little size for speed: notebooks are re-rendered far
// more often than they are stored.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

func encodePNG(img image.Image) ([]byte, error) {
	if img == nil || isNilPointer(img) {
		return nil, fmt.Errorf("display: nil image")
	}
	r := img.Bounds()
	if r.Dx() <= 0 || r.Dy() <= 0 {
		return nil, fmt.Errorf("display: empty image (%d×%d)", r.Dx(), r.Dy())
	}
	if rgba, ok := img.(*image.RGBA); ok && rgba.Opaque() {
		return encodeOpaqueRGBA(rgba)
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("display: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}
