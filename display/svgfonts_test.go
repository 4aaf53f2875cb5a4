package display

import (
	"bytes"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Splicing cached @font-face rules must give the SVG gonum writes when it
// embeds fonts itself.
func TestCachedFontFacesMatchGonum(t *testing.T) {
	for name, c := range sampleCharts() {
		if c.plot == nil {
			continue // composite charts: checked below by parsing
		}
		ours, err := c.SVG()
		if err != nil {
			t.Fatal(err)
		}
		cv := vgsvg.NewWith(vgsvg.UseWH(c.width, c.height), vgsvg.EmbedFonts(true))
		c.plot.Draw(draw.New(cv))
		var buf bytes.Buffer
		cv.WriteTo(&buf)
		if !bytes.Equal(ours, fixSVGImages(buf.Bytes())) {
			t.Errorf("%s: SVG differs from gonum's embedded-font SVG", name)
		}
	}
	raw, err := ConfusionMatrix([][]int{{1, 2}, {3, 4}}, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	checkSVGDoc(t, string(raw))
	if n := bytes.Count(raw, []byte("@font-face")); n != 1 {
		t.Errorf("%d @font-face rules for one font", n)
	}
}

func TestWithFontFacesNeedsSVG(t *testing.T) {
	face := font.DefaultCache.Lookup(plot.New().Title.TextStyle.Font, 12)
	faces := map[string]font.Face{fontKey(face): face}
	if _, err := withFontFaces([]byte("<html>"), faces); err == nil {
		t.Error("no error for a document without <svg>")
	}
	out, err := withFontFaces([]byte("<svg width=\"1\">\n</svg>\n"), faces)
	if err != nil || !bytes.HasPrefix(out, []byte("<svg width=\"1\">\n<defs>\n\t<style>\n\t\t@font-face{")) {
		t.Errorf("font rules not placed after <svg>: %.80q, %v", out, err)
	}
}
