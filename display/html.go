package display

import "html"

// escapeHTML escapes text for use inside HTML elements and attributes.
func escapeHTML(s string) string { return html.EscapeString(s) }
