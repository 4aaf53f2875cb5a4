// Package notebooks holds the tutorials and paper walkthroughs, stored
// with their outputs (`make notebooks` re-executes them with gossl exec).
// It has no Go API: its test keeps the stored notebooks small enough to
// clone, diff and render on GitHub.
package notebooks
