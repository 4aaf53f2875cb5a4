package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"
)

// The functions in this file are what a user calls from a cell. Each sends
// one bundle through the current publisher; with none (a plain Go program)
// it writes the bundle's text to standard output instead. They return an
// error for bad input or a failed send; a nil error shows nothing.

// stdout is where output goes without a publisher; tests replace it.
var stdout = func() io.Writer { return os.Stdout }

// publish sends b as a new output, or its text without a frontend.
func publish(b Bundle) error {
	if p := CurrentPublisher(); p != nil {
		return p.Display(b)
	}
	return writeText(b)
}

// republish replaces the outputs with b.ID, or writes the text again
// without a frontend.
func republish(b Bundle) error {
	if p := CurrentPublisher(); p != nil {
		return p.Update(b)
	}
	return writeText(b)
}

func writeText(b Bundle) error {
	s, _ := b.Data["text/plain"].(string)
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	_, err := io.WriteString(stdout(), s)
	return err
}

// Show displays v as a new output, rendered by Render.
func Show(v any) error { return publish(Render(v)) }

// Update replaces the outputs shown with display id id by v (Jupyter's
// update_display_data). Ids come from New: display.Update(d.ID(), v).
func Update(id string, v any) error {
	if id == "" {
		return fmt.Errorf("display: Update: empty display id")
	}
	b := Render(v)
	b.ID = id
	return republish(b)
}

// Clear clears the cell's output (clear_output). With wait, the frontend
// clears only when the next output arrives, which avoids flicker in loops.
// Without a frontend it does nothing.
func Clear(wait bool) error {
	if p := CurrentPublisher(); p != nil {
		return p.Clear(wait)
	}
	return nil
}

// NewBundle returns a bundle holding content under one MIME type plus a
// text/plain fallback; use it to build Renderer results or Update values
// of a given type. content is a string for text types, base64 for binary
// ones, or any JSON value for JSON types.
func NewBundle(mimeType string, content any) Bundle {
	b := Bundle{Data: map[string]any{mimeType: content}}
	if mimeType == "text/plain" {
		return b
	}
	text := "<" + mimeType + ">"
	if s, ok := content.(string); ok {
		switch {
		case mimeType == "text/html":
			text = htmlText(s)
		case strings.HasPrefix(mimeType, "text/"):
			text = truncate(s)
		}
	}
	b.Data["text/plain"] = text
	return b
}

// PNG displays a PNG image: either encoded PNG bytes or an image.Image.
func PNG(v any) error {
	b, err := pngBundle(v)
	if err != nil {
		return err
	}
	return publish(b)
}

func pngBundle(v any) (Bundle, error) {
	switch x := v.(type) {
	case []byte:
		cfg, err := png.DecodeConfig(bytes.NewReader(x))
		if err != nil {
			return Bundle{}, fmt.Errorf("display: PNG: not PNG data: %w", err)
		}
		return encodedImage("image/png", x, cfg), nil
	case image.Image:
		if isNilPointer(x) {
			return Bundle{}, fmt.Errorf("display: PNG: nil image")
		}
		return imageBundle(x)
	}
	return Bundle{}, fmt.Errorf("display: PNG: want []byte or image.Image, got %T", v)
}

// JPEG displays a JPEG image: either encoded JPEG bytes or an image.Image
// (encoded at quality 90).
func JPEG(v any) error {
	b, err := jpegBundle(v)
	if err != nil {
		return err
	}
	return publish(b)
}

func jpegBundle(v any) (Bundle, error) {
	switch x := v.(type) {
	case []byte:
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(x))
		if err != nil {
			return Bundle{}, fmt.Errorf("display: JPEG: not JPEG data: %w", err)
		}
		return encodedImage("image/jpeg", x, cfg), nil
	case image.Image:
		if isNilPointer(x) || x.Bounds().Empty() {
			return Bundle{}, fmt.Errorf("display: JPEG: nil or empty image")
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, x, &jpeg.Options{Quality: 90}); err != nil {
			return Bundle{}, fmt.Errorf("display: JPEG: %w", err)
		}
		cfg := image.Config{Width: x.Bounds().Dx(), Height: x.Bounds().Dy()}
		return encodedImage("image/jpeg", buf.Bytes(), cfg), nil
	}
	return Bundle{}, fmt.Errorf("display: JPEG: want []byte or image.Image, got %T", v)
}

func encodedImage(mimeType string, data []byte, cfg image.Config) Bundle {
	return Bundle{
		Data: map[string]any{
			mimeType:     base64.StdEncoding.EncodeToString(data),
			"text/plain": fmt.Sprintf("%s %d×%d", mimeType, cfg.Width, cfg.Height),
		},
		Metadata: map[string]any{mimeType: map[string]any{"width": cfg.Width, "height": cfg.Height}},
	}
}

// SVG displays an SVG document; it must be XML whose root is <svg>.
func SVG(s string) error {
	if err := checkSVG(s); err != nil {
		return err
	}
	return publish(Bundle{Data: map[string]any{"image/svg+xml": s, "text/plain": "<SVG image>"}})
}

func checkSVG(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("display: SVG: no <svg> element: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "svg" {
				return fmt.Errorf("display: SVG: root element is <%s>, want <svg>", se.Name.Local)
			}
			return nil
		}
	}
}

// HTML displays an HTML fragment. Scripts in it run in frontends that
// trust the notebook.
func HTML(s string) error {
	return publish(Bundle{Data: map[string]any{"text/html": s, "text/plain": htmlText(s)}})
}

// htmlText is a rough plain-text version of HTML for text-only frontends.
func htmlText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	t := strings.TrimSpace(b.String())
	if t == "" {
		return "<HTML>"
	}
	return truncate(t)
}

// Markdown displays Markdown text.
func Markdown(s string) error {
	return publish(Bundle{Data: map[string]any{"text/markdown": s, "text/plain": s}})
}

// LaTeX displays a formula. Text without $ or \begin is wrapped in $$…$$,
// so LaTeX(`\frac{a}{b}`) works as users expect.
func LaTeX(s string) error { return publish(latexBundle(s)) }

func latexBundle(s string) Bundle {
	t := strings.TrimSpace(s)
	if !strings.Contains(t, "$") && !strings.HasPrefix(t, `\begin`) {
		t = "$$" + t + "$$"
	}
	return Bundle{Data: map[string]any{"text/latex": t, "text/plain": s}}
}

// JSON displays v as a JSON tree. v is any value encoding/json accepts;
// []byte and json.RawMessage are taken as JSON text and must be valid.
func JSON(v any) error {
	b, err := jsonBundle(v)
	if err != nil {
		return err
	}
	return publish(b)
}

func jsonBundle(v any) (Bundle, error) {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	default:
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return Bundle{}, fmt.Errorf("display: JSON: %w", err)
		}
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return Bundle{}, fmt.Errorf("display: JSON: invalid JSON: %w", err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		return Bundle{}, fmt.Errorf("display: JSON: %w", err)
	}
	return Bundle{Data: map[string]any{"application/json": tree, "text/plain": truncate(pretty.String())}}, nil
}

// Text displays plain text as an output of its own (unlike fmt.Print, it
// can be replaced later with Update).
func Text(s string) error {
	return publish(Bundle{Data: map[string]any{"text/plain": s}})
}
