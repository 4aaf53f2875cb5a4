// Package display turns Go values into MIME bundles (images, plots, tables,
// HTML, Markdown, LaTeX, SVG, JSON, progress bars, embedding maps) and
// publishes them through a Publisher that the kernel implements. It never
// imports the kernel, so any library can render itself in a notebook.
//
// # Rendering values
//
// Render(v) makes the bundle for any value and always includes "text/plain"
// (Format). The Go session calls it for a cell's last value; Show(v) does
// the same for any value mid-cell. By type:
//
//   - image.Image → image/png; []image.Image → one PNG grid
//   - *plot.Plot (gonum) and *Chart → image/png drawn at twice the
//     display size, with the 1× size in its metadata (sharp on high-density
//     screens); Chart.WithSVG adds an SVG without embedded fonts. PNG alone
//     shows right in every viewer: nbconvert 6.5's HTML export would pick
//     an SVG and strip it to a blank box
//   - error → its message
//   - slices of structs or maps, and maps → a text/html table
//   - tensor.Tensor → shape/dtype summary and abbreviated values; an
//     image-shaped tensor ((N,)C,H,W or (N,)H,W,C with C = 1 or 3) adds
//     an image grid
//   - a Renderer → its own bundle
//
// # Renderer: how a type shows itself
//
// Renderer is the Go analogue of IPython's _repr_html_: any type, in a
// library or declared in a notebook cell, that has a method
//
//	Render() display.Bundle
//
// is shown by that method. For example:
//
//	type Temperature float64
//
//	func (t Temperature) Render() display.Bundle {
//		b := display.NewBundle("text/html",
//			fmt.Sprintf(`<b style="color:red">%.1f °C</b>`, float64(t)))
//		b.Data["text/plain"] = fmt.Sprintf("%.1f °C", float64(t))
//		return b
//	}
//
// Missing "text/plain" is filled in. Compiled code cannot see the methods
// of types declared in a notebook cell by reflection; the Go session asks
// the interpreter instead, for a cell's last value and for the values
// passed to Show, Render, Update and Format. The methods of a *Display do
// not get that help: pass the bundle, d.Update(t.Render()).
//
// A type with one rich form can instead have a method HTML() string,
// Markdown() string, SVG() string or LaTeX() string, and needs no import of
// display: sslkit's tables do this.
//
// # Showing things from a cell
//
// Show, PNG, JPEG, SVG, HTML, Markdown, LaTeX, JSON and Text publish one
// output; Update(id, v) replaces an output shown with a display id and
// Clear(wait) clears the cell's output. New returns a Display whose Show
// and Update replace one output in place:
//
//	d := display.New()
//	d.Show(display.LossCurve(losses))
//	...
//	d.Update(display.LossCurve(losses))
//
// Without a publisher (a plain Go program) these write the text/plain
// version to standard output.
//
// # Plots, progress and embedding maps
//
// The plot helpers (LineChart, LossCurve, Scatter, Histogram, Heatmap,
// ConfusionMatrix, BarChart) return a *Chart; ImageGrid and Neighbours
// return a *Grid; NewEmbeddingMap returns an *EmbeddingMap with zoom,
// pan, a legend and hover thumbnails; its HTML is a static image of the
// map that the script replaces, so untrusted notebooks (scripts stripped)
// still show the map. NewProgress returns a Progress whose
// Step(i, n, metrics) method is what a training loop calls: it shows a
// bar and metric curves updated in place at most 10 times a second.
package display
