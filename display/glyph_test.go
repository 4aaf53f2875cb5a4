package display

import (
	"image"
	"image/color"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The fast dot must look like gonum's circle: same place, same colour,
// about the same area.
func TestDotGlyphMatchesCircleGlyph(t *testing.T) {
	render := func(g draw.GlyphDrawer) *image.RGBA {
		cv := vgimg.NewWith(vgimg.UseWH(2*vg.Inch, 1*vg.Inch), vgimg.UseDPI(96))
		dc := draw.New(cv)
		sty := draw.GlyphStyle{Color: color.RGBA{214, 39, 40, 255}, Radius: vg.Points(4), Shape: g}
		for _, pt := range []vg.Point{{X: 20, Y: 20}, {X: 60.3, Y: 40.7}, {X: 100, Y: 10}} {
			dc.DrawGlyph(sty, pt)
		}
		return cv.Image().(*image.RGBA)
	}
	fast, slow := render(dotGlyph{}), render(draw.CircleGlyph{})
	inked := func(img *image.RGBA) (n int) {
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i+1] < 200 { // white background has green 255
				n++
			}
		}
		return n
	}
	a, b := inked(fast), inked(slow)
	if a == 0 || float64(a) < 0.85*float64(b) || float64(a) > 1.15*float64(b) {
		t.Errorf("dot covers %d pixels, circle %d", a, b)
	}
	// centre of the first dot: (20, 20) pt → (26.7, 96-26.7) px
	x, y := 26, 96-27
	if fast.RGBAAt(x, y) != slow.RGBAAt(x, y) || fast.RGBAAt(x, y) != (color.RGBA{214, 39, 40, 255}) {
		t.Errorf("centre pixel %v, circle %v", fast.RGBAAt(x, y), slow.RGBAAt(x, y))
	}
	diff := 0
	for i := range fast.Pix {
		d := int(fast.Pix[i]) - int(slow.Pix[i])
		if d > 60 || d < -60 {
			diff++
		}
	}
	if diff > b/4 {
		t.Errorf("%d channel values differ strongly between dot and circle", diff)
	}
}

func TestStampDiscClipsAtEdges(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	stampDisc(img, 0, 0, 3, color.Black) // mostly outside: must not panic
	stampDisc(img, 4, 4, 3, color.Black)
	if img.RGBAAt(0, 0).A == 0 || img.RGBAAt(3, 3).A == 0 {
		t.Error("visible part of the disc not drawn")
	}
}
