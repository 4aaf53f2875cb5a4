// Package display turns Go values into MIME bundles (images, plots, tables,
// HTML, Markdown, LaTeX, SVG, JSON, progress bars, embedding maps) and
// publishes them through a Publisher that the kernel implements. It never
// imports the kernel, so any library can render itself in a notebook.
package display
