package display

import (
	"image/color"
)

// categorical is a ten-colour qualitative palette (the widely used
// "category10" hues); labels beyond ten reuse it with other glyph shapes.
var categorical = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	{188, 189, 34, 255}, {23, 190, 207, 255},
}

// labelColor returns the colour of the i-th distinct label.
func labelColor(i int) color.RGBA { return categorical[i%len(categorical)] }

// cssColor formats c for HTML and SVG attributes.
func cssColor(c color.RGBA) string {
	const hex = "0123456789abcdef"
	b := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i, v := range []uint8{c.R, c.G, c.B} {
		b[1+2*i] = hex[v>>4]
		b[2+2*i] = hex[v&15]
	}
	return string(b)
}
