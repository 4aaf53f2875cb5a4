package display

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// recorder is a Publisher that keeps what it is sent.
type recorder struct {
	mu      sync.Mutex
	shown   []Bundle
	updated []Bundle
	clears  []bool
	fail    error
}

func (r *recorder) Display(b Bundle) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shown = append(r.shown, b)
	return r.fail
}

func (r *recorder) Update(b Bundle) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updated = append(r.updated, b)
	return r.fail
}

func (r *recorder) Clear(wait bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clears = append(r.clears, wait)
	return r.fail
}

// withPublisher installs p for the test and restores the previous one.
func withPublisher(t *testing.T, p Publisher) {
	t.Helper()
	prev := SetPublisher(p)
	t.Cleanup(func() { SetPublisher(prev) })
}

// captureStdout sends the no-frontend fallback to a buffer.
func captureStdout(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := stdout
	stdout = func() io.Writer { return &buf }
	t.Cleanup(func() { stdout = prev })
	return &buf
}

// checkSVGDoc parses the whole document as XML and checks it is an SVG.
func checkSVGDoc(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
}

func pngBytes(t *testing.T, b Bundle) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b.Data["image/png"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
