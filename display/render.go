package display

import (
	"fmt"
	"image"
	"reflect"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gorgonia.org/tensor"
)

// Render returns the bundle for any Go value. It always includes
// "text/plain" and adds richer types by the value's type:
//
//   - a Renderer or a Bundle: its own bundle
//   - a value with an HTML, Markdown, SVG or LaTeX method returning a string:
//     that format (see Renderer)
//   - error: its message
//   - image.Image: image/png; []image.Image: a grid of them as one PNG
//   - *plot.Plot (gonum): image/png at twice the display size (see Chart)
//   - tensor.Tensor: a shape/dtype summary; image-shaped tensors add a PNG grid
//   - slices and arrays of structs or maps, and maps: a text/html table
//
// Render never panics: a failing renderer yields a bundle describing the
// failure.
func Render(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = errorBundle(fmt.Errorf("display: rendering %T panicked: %v", v, r))
		}
	}()
	b = renderByType(v)
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	if _, ok := b.Data["text/plain"]; !ok {
		switch v.(type) {
		case Bundle, *Bundle: // dumping the bundle itself would show its base64
			b.Data["text/plain"] = bundleText(b)
		default:
			b.Data["text/plain"] = Format(v)
		}
	}
	return b
}

// bundleText is a text version of a bundle that has none: the text of its
// HTML, Markdown or LaTeX, or the names of its MIME types.
func bundleText(b Bundle) string {
	if s, ok := b.Data["text/html"].(string); ok {
		return htmlText(s)
	}
	for _, m := range []string{"text/markdown", "text/latex"} {
		if s, ok := b.Data[m].(string); ok {
			return truncate(s)
		}
	}
	var mimes []string
	for m := range b.Data {
		mimes = append(mimes, m)
	}
	sort.Strings(mimes)
	return "<" + strings.Join(mimes, ", ") + ">"
}

func renderByType(v any) Bundle {
	switch x := v.(type) {
	case nil:
		return textBundle("<nil>")
	case Bundle:
		return x.clone()
	case *Bundle:
		if x == nil {
			return textBundle("<nil>")
		}
		return x.clone()
	case Renderer:
		if isNilPointer(v) {
			return textBundle(Format(v))
		}
		return x.Render()
	case error:
		return errorBundle(x)
	case image.Image:
		b, err := imageBundle(x)
		if err != nil {
			return errorBundle(err)
		}
		return b
	case []image.Image:
		return ImageGrid(x, 0, nil).Render()
	case *plot.Plot:
		if x == nil {
			return textBundle("<nil>")
		}
		return NewChart(x, 0, 0).Render()
	case tensor.Tensor:
		return tensorBundle(x)
	}
	if b, ok := singleFormat(v); ok {
		return b
	}
	if html, ok := tableHTML(v); ok {
		return Bundle{Data: map[string]any{"text/html": html}}
	}
	return textBundle(Format(v))
}

func textBundle(s string) Bundle {
	return Bundle{Data: map[string]any{"text/plain": s}}
}

// errorBundle shows err as text, and as red HTML so it stands out among
// other outputs.
func errorBundle(err error) Bundle {
	msg := err.Error()
	return Bundle{Data: map[string]any{
		"text/plain": msg,
		"text/html":  `<pre style="color:#b00020">` + escapeHTML(msg) + `</pre>`,
	}}
}

// clone copies the maps so callers can change the result without touching
// the bundle a user keeps.
func (b Bundle) clone() Bundle {
	c := Bundle{ID: b.ID}
	if b.Data != nil {
		c.Data = make(map[string]any, len(b.Data))
		for k, v := range b.Data {
			c.Data[k] = v
		}
	}
	if b.Metadata != nil {
		c.Metadata = make(map[string]any, len(b.Metadata))
		for k, v := range b.Metadata {
			c.Metadata[k] = v
		}
	}
	return c
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
