package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Notebook is an nbformat 4 notebook. Fields the runner does not use
// (notebook and cell metadata, attachments) are kept as they were read.
type Notebook struct {
	Cells         []*Cell        `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is one notebook cell. Outputs and ExecutionCount belong to code
// cells only.
type Cell struct {
	ID             string
	Type           string // "code", "markdown" or "raw"
	Metadata       map[string]any
	Source         string
	Attachments    json.RawMessage // markdown and raw cells
	Outputs        []*Output
	ExecutionCount *int
}

// Output is one output of a code cell. Type is "stream", "display_data",
// "execute_result" or "error".
type Output struct {
	Type string

	Name string // stream: "stdout" or "stderr"
	Text string // stream

	Data           map[string]any // display_data, execute_result
	Metadata       map[string]any
	ExecutionCount *int // execute_result

	EName     string // error
	EValue    string
	Traceback []string

	// displayID is the transient display id: not stored in the file,
	// but later updates of this id replace Data and Metadata.
	displayID string
}

// Tags returns the cell's metadata.tags.
func (c *Cell) Tags() []string {
	raw, _ := c.Metadata["tags"].([]any)
	var tags []string
	for _, t := range raw {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// HasTag tells whether the cell carries tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}

// Read parses an nbformat 4 notebook.
func Read(data []byte) (*Notebook, error) {
	var head struct {
		NBFormat *int `json:"nbformat"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", jsonErrorAt(data, err))
	}
	if head.NBFormat == nil {
		return nil, fmt.Errorf("not a notebook: no nbformat field")
	}
	if *head.NBFormat != 4 {
		return nil, fmt.Errorf("nbformat %d is not supported (only 4)", *head.NBFormat)
	}
	var nb Notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("reading notebook: %w", jsonErrorAt(data, err))
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	// nbformat 4.5 requires cell ids; give one to cells written without.
	for _, c := range nb.Cells {
		if nb.NBFormatMinor >= 5 && c.ID == "" {
			c.ID = newCellID()
		}
	}
	return &nb, nil
}

// ReadFile reads an nbformat 4 notebook from path.
func ReadFile(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nb, nil
}

// jsonErrorAt adds the line of a syntax error.
func jsonErrorAt(data []byte, err error) error {
	if se, ok := err.(*json.SyntaxError); ok {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d (byte %d): %w", line, se.Offset, err)
	}
	return err
}

// Marshal encodes the notebook as Jupyter writes it: indented by one
// space, multi-line strings as lists of lines, keys sorted.
func (nb *Notebook) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes the notebook to path.
func (nb *Notebook) WriteFile(path string) error {
	data, err := nb.Marshal()
	if err != nil {
		return fmt.Errorf("encoding notebook: %w", err)
	}
	return os.WriteFile(path, data, 0o644)
}

// lines splits s after each newline, as nbformat stores multi-line
// strings.
func lines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// multiline reads a string that nbformat may store as one string or a
// list of strings.
func multiline(raw json.RawMessage, field string) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []string
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("%s: want a string or a list of strings", field)
	}
	return strings.Join(parts, ""), nil
}

type cellJSON struct {
	ID             string          `json:"id,omitempty"`
	CellType       string          `json:"cell_type"`
	Metadata       map[string]any  `json:"metadata"`
	Source         json.RawMessage `json:"source"`
	Attachments    json.RawMessage `json:"attachments,omitempty"`
	Outputs        []*Output       `json:"outputs,omitempty"`
	ExecutionCount *int            `json:"execution_count,omitempty"`
}

func (c *Cell) UnmarshalJSON(data []byte) error {
	var j cellJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	src, err := multiline(j.Source, "source")
	if err != nil {
		return fmt.Errorf("cell %q: %w", j.ID, err)
	}
	switch j.CellType {
	case "code", "markdown", "raw":
	default:
		return fmt.Errorf("cell %q: unknown cell_type %q", j.ID, j.CellType)
	}
	*c = Cell{ID: j.ID, Type: j.CellType, Metadata: j.Metadata, Source: src,
		Attachments: j.Attachments, Outputs: j.Outputs, ExecutionCount: j.ExecutionCount}
	if c.Metadata == nil {
		c.Metadata = map[string]any{}
	}
	return nil
}

func (c *Cell) MarshalJSON() ([]byte, error) {
	src, err := json.Marshal(lines(c.Source))
	if err != nil {
		return nil, err
	}
	md := c.Metadata
	if md == nil {
		md = map[string]any{}
	}
	if c.Type != "code" {
		return marshalNoEscape(cellJSON{ID: c.ID, CellType: c.Type, Metadata: md, Source: src, Attachments: c.Attachments})
	}
	// Code cells always carry outputs and execution_count (null when
	// not run), so they are written by hand rather than with omitempty.
	outs := c.Outputs
	if outs == nil {
		outs = []*Output{}
	}
	type codeCell struct {
		ID             string          `json:"id,omitempty"`
		CellType       string          `json:"cell_type"`
		ExecutionCount *int            `json:"execution_count"`
		Metadata       map[string]any  `json:"metadata"`
		Outputs        []*Output       `json:"outputs"`
		Source         json.RawMessage `json:"source"`
	}
	return marshalNoEscape(codeCell{c.ID, "code", c.ExecutionCount, md, outs, src})
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

type outputJSON struct {
	OutputType     string                     `json:"output_type"`
	Name           string                     `json:"name,omitempty"`
	Text           json.RawMessage            `json:"text,omitempty"`
	Data           map[string]json.RawMessage `json:"data,omitempty"`
	Metadata       map[string]any             `json:"metadata,omitempty"`
	ExecutionCount *int                       `json:"execution_count,omitempty"`
	EName          string                     `json:"ename,omitempty"`
	EValue         string                     `json:"evalue,omitempty"`
	Traceback      []string                   `json:"traceback,omitempty"`
}

func (o *Output) UnmarshalJSON(data []byte) error {
	var j outputJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*o = Output{Type: j.OutputType, Name: j.Name, Metadata: j.Metadata, ExecutionCount: j.ExecutionCount,
		EName: j.EName, EValue: j.EValue, Traceback: j.Traceback}
	switch j.OutputType {
	case "stream":
		text, err := multiline(j.Text, "text")
		if err != nil {
			return err
		}
		o.Text = text
	case "display_data", "execute_result":
		o.Data = map[string]any{}
		for mime, raw := range j.Data {
			if isJSONMime(mime) {
				var v any
				if err := json.Unmarshal(raw, &v); err != nil {
					return fmt.Errorf("output data %s: %w", mime, err)
				}
				o.Data[mime] = v
				continue
			}
			s, err := multiline(raw, "data "+mime)
			if err != nil {
				return err
			}
			o.Data[mime] = s
		}
	case "error":
	default:
		return fmt.Errorf("unknown output_type %q", j.OutputType)
	}
	return nil
}

// isJSONMime tells whether a MIME type's content is a JSON value rather
// than a string.
func isJSONMime(mime string) bool {
	return mime == "application/json" || strings.HasSuffix(mime, "+json")
}

func (o *Output) MarshalJSON() ([]byte, error) {
	switch o.Type {
	case "stream":
		text, err := json.Marshal(lines(o.Text))
		if err != nil {
			return nil, err
		}
		return marshalNoEscape(struct {
			Name       string          `json:"name"`
			OutputType string          `json:"output_type"`
			Text       json.RawMessage `json:"text"`
		}{o.Name, "stream", text})
	case "error":
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		return marshalNoEscape(struct {
			EName      string   `json:"ename"`
			EValue     string   `json:"evalue"`
			OutputType string   `json:"output_type"`
			Traceback  []string `json:"traceback"`
		}{o.EName, o.EValue, "error", tb})
	}
	data, err := marshalData(o.Data)
	if err != nil {
		return nil, err
	}
	md := o.Metadata
	if md == nil {
		md = map[string]any{}
	}
	if o.Type == "execute_result" {
		return marshalNoEscape(struct {
			Data           json.RawMessage `json:"data"`
			ExecutionCount *int            `json:"execution_count"`
			Metadata       map[string]any  `json:"metadata"`
			OutputType     string          `json:"output_type"`
		}{data, o.ExecutionCount, md, "execute_result"})
	}
	return marshalNoEscape(struct {
		Data       json.RawMessage `json:"data"`
		Metadata   map[string]any  `json:"metadata"`
		OutputType string          `json:"output_type"`
	}{data, md, "display_data"})
}

// marshalData writes a MIME bundle with text split into lines, except
// base64 images, which Jupyter keeps as one string.
func marshalData(data map[string]any) (json.RawMessage, error) {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		buf.Write(kj)
		buf.WriteByte(':')
		v := data[k]
		if s, ok := v.(string); ok && !isJSONMime(k) && (!strings.HasPrefix(k, "image/") || k == "image/svg+xml") {
			v = lines(s)
		}
		vj, err := marshalNoEscape(v)
		if err != nil {
			return nil, fmt.Errorf("output data %s: %w", k, err)
		}
		buf.Write(vj)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
