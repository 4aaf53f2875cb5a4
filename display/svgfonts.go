package display

import (
	"bytes"
	"fmt"
	"sort"
	"sync"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Embedding fonts in SVG (so browsers draw the same glyphs as the PNG)
// costs gonum a base64 pass over each ~400 kB font file per chart, about
// a third of the time of drawing a scatter plot. The @font-face rules
// depend only on the font, so they are made once and spliced into each
// SVG drawn without embedding.

// fontRecorder passes drawing to an SVG canvas and notes the fonts used.
type fontRecorder struct {
	vg.CanvasSizer
	faces map[string]font.Face
}

func (r *fontRecorder) FillString(f font.Face, pt vg.Point, s string) {
	r.faces[fontKey(f)] = f
	r.CanvasSizer.FillString(f, pt, s)
}

func fontKey(f font.Face) string {
	return fmt.Sprintf("%s|%v|%v|%v", f.Font.Typeface, f.Font.Variant, f.Font.Style, f.Font.Weight)
}

var fontFaceCSS sync.Map // fontKey → string: one @font-face rule

// fontFaceRule returns the @font-face rule gonum writes for f, made once
// by drawing one character on a throw-away canvas.
func fontFaceRule(f font.Face) (string, error) {
	key := fontKey(f)
	if css, ok := fontFaceCSS.Load(key); ok {
		return css.(string), nil
	}
	cv := vgsvg.NewWith(vgsvg.UseWH(vg.Inch, vg.Inch), vgsvg.EmbedFonts(true))
	cv.FillString(f, vg.Point{}, "x")
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	start := bytes.Index(buf.Bytes(), []byte("\t\t@font-face{"))
	end := bytes.Index(buf.Bytes(), []byte("\t</style>"))
	if start < 0 || end < start {
		return "", fmt.Errorf("display: no @font-face rule for %s", f.Font.Typeface)
	}
	css := s[start:end]
	fontFaceCSS.Store(key, css)
	return css, nil
}

// withFontFaces inserts a <defs><style> block with the recorded fonts'
// rules after the opening <svg> tag, as gonum places it.
func withFontFaces(svg []byte, faces map[string]font.Face) ([]byte, error) {
	if len(faces) == 0 {
		return svg, nil
	}
	keys := make([]string, 0, len(faces))
	for k := range faces {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var defs bytes.Buffer
	defs.WriteString("<defs>\n\t<style>\n")
	for _, k := range keys {
		css, err := fontFaceRule(faces[k])
		if err != nil {
			return nil, err
		}
		defs.WriteString(css)
	}
	defs.WriteString("\t</style>\n</defs>\n")
	open := bytes.Index(svg, []byte("<svg"))
	if open < 0 {
		return nil, fmt.Errorf("display: SVG without <svg> element")
	}
	end := bytes.IndexByte(svg[open:], '>')
	if end < 0 {
		return nil, fmt.Errorf("display: unterminated <svg> element")
	}
	at := open + end + 1
	if at < len(svg) && svg[at] == '\n' {
		at++
	}
	out := make([]byte, 0, len(svg)+defs.Len())
	out = append(out, svg[:at]...)
	out = append(out, defs.Bytes()...)
	return append(out, svg[at:]...), nil
}
