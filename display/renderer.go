package display

// Renderer is implemented by values that know how to show themselves: the Go
// analogue of IPython's _repr_html_ and friends. Render and Show call it
// instead of the built-in renderers. A bundle without "text/plain" gets one
// made from the value, so plain-text frontends still see something.
type Renderer interface {
	Render() Bundle
}

// Single-format methods, for types that have one rich form and no reason to
// import display (sslkit's tables, say): a value with one of these methods
// is shown in that format, beside its text/plain. Renderer wins when a type
// has both.
type (
	htmler     interface{ HTML() string }
	markdowner interface{ Markdown() string }
	svger      interface{ SVG() string }
	latexer    interface{ LaTeX() string }
)

// singleFormat returns the bundle of a value with a single-format method.
func singleFormat(v any) (Bundle, bool) {
	if isNilPointer(v) {
		return Bundle{}, false
	}
	switch x := v.(type) {
	case htmler:
		return Bundle{Data: map[string]any{"text/html": x.HTML()}}, true
	case markdowner:
		return Bundle{Data: map[string]any{"text/markdown": x.Markdown()}}, true
	case svger:
		return Bundle{Data: map[string]any{"image/svg+xml": x.SVG()}}, true
	case latexer:
		return Bundle{Data: map[string]any{"text/latex": x.LaTeX()}}, true
	}
	return Bundle{}, false
}
