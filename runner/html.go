package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// WriteHTML writes the notebook as one self-contained HTML page: code,
// Markdown and every output, with the richest form of each bundle a
// browser shows by itself. HTML outputs are included as they are, scripts
// and all (the interactive embedding map works): the page is for notebooks
// the user ran, as a trusted notebook is in Jupyter.
func WriteHTML(w io.Writer, nb *Notebook, title string) error {
	page := htmlPage{Title: title, Language: "go"}
	for _, c := range nb.Cells {
		hc := htmlCell{Type: c.Type}
		switch c.Type {
		case "markdown":
			hc.HTML = markdownHTML(c.Source)
		case "raw":
			hc.Source = c.Source
		case "code":
			hc.Source = c.Source
			hc.Prompt = " "
			if c.ExecutionCount != nil {
				hc.Prompt = fmt.Sprint(*c.ExecutionCount)
			}
			for _, o := range c.Outputs {
				hc.Outputs = append(hc.Outputs, outputHTML(o))
			}
		}
		page.Cells = append(page.Cells, hc)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteHTMLFile writes the page to path.
func WriteHTMLFile(path string, nb *Notebook, title string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteHTML(f, nb, title); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type htmlPage struct {
	Title    string
	Language string
	Cells    []htmlCell
}

type htmlCell struct {
	Type    string
	Prompt  string
	Source  string
	HTML    template.HTML
	Outputs []htmlOutput
}

type htmlOutput struct {
	Class string
	HTML  template.HTML
}

var md = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(html.WithUnsafe()), // notebooks' Markdown may hold HTML, as Jupyter allows
)

func markdownHTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>")
	}
	return template.HTML(buf.String())
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

func preHTML(s string) template.HTML {
	return template.HTML("<pre>" + template.HTMLEscapeString(stripANSI(s)) + "</pre>")
}

// outputHTML picks what a browser shows of one output, in Jupyter's
// order of preference.
func outputHTML(o *Output) htmlOutput {
	switch o.Type {
	case "stream":
		return htmlOutput{Class: "stream " + o.Name, HTML: preHTML(o.Text)}
	case "error":
		return htmlOutput{Class: "error", HTML: preHTML(strings.Join(o.Traceback, "\n"))}
	}
	str := func(mime string) (string, bool) {
		s, ok := o.Data[mime].(string)
		return s, ok
	}
	if s, ok := str("text/html"); ok {
		return htmlOutput{Class: "html", HTML: template.HTML(s)}
	}
	if s, ok := str("image/svg+xml"); ok {
		return htmlOutput{Class: "image", HTML: template.HTML(s)}
	}
	for _, mime := range []string{"image/png", "image/jpeg", "image/gif"} {
		if s, ok := str(mime); ok {
			return htmlOutput{Class: "image", HTML: imgHTML(mime, strings.TrimSpace(s), o.Metadata[mime])}
		}
	}
	if s, ok := str("text/markdown"); ok {
		return htmlOutput{Class: "html", HTML: markdownHTML(s)}
	}
	if s, ok := str("text/latex"); ok {
		return htmlOutput{Class: "text", HTML: preHTML(s)}
	}
	if v, ok := o.Data["application/json"]; ok {
		js, err := json.MarshalIndent(v, "", "  ")
		if err == nil {
			return htmlOutput{Class: "text", HTML: preHTML(string(js))}
		}
	}
	if s, ok := str("text/plain"); ok {
		return htmlOutput{Class: "text", HTML: preHTML(s)}
	}
	return htmlOutput{Class: "text", HTML: preHTML("<no displayable output>")}
}

// imgHTML shows a base64 image at the size its metadata gives (a 2×
// PNG carries its 1× size there, so it shows sharp and not twice as big).
func imgHTML(mime, b64 string, meta any) template.HTML {
	attrs := ""
	if m, ok := meta.(map[string]any); ok {
		for _, k := range []string{"width", "height"} {
			if v, ok := m[k]; ok {
				attrs += fmt.Sprintf(` %s="%v"`, k, v)
			}
		}
	}
	return template.HTML(fmt.Sprintf(`<img src="data:%s;base64,%s"%s alt="">`,
		mime, template.HTMLEscapeString(b64), attrs))
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gossl exec">
<title>{{.Title}}</title>
<style>
body { font-family: -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; font-size: 15px; line-height: 1.45; color: #222; max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
.cell { display: grid; grid-template-columns: 70px minmax(0, 1fr); margin: 6px 0; }
.prompt { color: #303f9f; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; text-align: right; padding: 6px 8px 0 0; }
.out .prompt { color: #d84315; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; tab-size: 4; }
.source pre { background: #f5f5f5; border: 1px solid #e0e0e0; border-radius: 3px; padding: 6px 8px; }
.outputs > div { padding: 4px 8px; overflow-x: auto; }
.stream.stderr { background: #fff4f4; }
.error pre { color: #b00020; background: #fff4f4; padding: 4px; }
.markdown { grid-column: 2; }
.markdown img { max-width: 100%; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; }
img { max-width: 100%; height: auto; }
</style>
</head>
<body>
{{range .Cells}}{{if eq .Type "markdown"}}<div class="cell"><div></div><div class="markdown">{{.HTML}}</div></div>
{{else if eq .Type "raw"}}<div class="cell"><div></div><div class="raw"><pre>{{.Source}}</pre></div></div>
{{else}}<div class="cell"><div class="prompt">In&nbsp;[{{.Prompt}}]:</div><div class="source"><pre><code class="language-go">{{.Source}}</code></pre></div></div>
{{if .Outputs}}<div class="cell out"><div></div><div class="outputs">{{range .Outputs}}<div class="{{.Class}}">{{.HTML}}</div>{{end}}</div></div>
{{end}}{{end}}{{end}}</body>
</html>
`))
