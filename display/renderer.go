package display

// Renderer is implemented by values that know how to show themselves: the Go
// analogue of IPython's _repr_html_ and friends. Render and Show call it
// instead of the built-in renderers. A bundle without "text/plain" gets one
// made from the value, so plain-text frontends still see something.
type Renderer interface {
	Render() Bundle
}
