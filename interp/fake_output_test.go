package interp

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gossl/gossl/display"
)

// fakeOutput records what a cell sends, in order, as text.
type fakeOutput struct {
	mu     sync.Mutex
	b      strings.Builder
	inputs []string // answers to Input, in order
	asked  []string
}

func (o *fakeOutput) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if name == "stderr" {
		for _, l := range strings.SplitAfter(text, "\n") {
			if l != "" {
				o.b.WriteString("stderr: " + l)
			}
		}
		return
	}
	o.b.WriteString(text)
}

func (o *fakeOutput) Display(b display.Bundle) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(&o.b, "display: %v\n", b.Data["text/plain"])
	return nil
}

func (o *fakeOutput) Update(b display.Bundle) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(&o.b, "update %s: %v\n", b.ID, b.Data["text/plain"])
	return nil
}

func (o *fakeOutput) Clear(wait bool) error { return nil }

func (o *fakeOutput) Input(prompt string, password bool) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inputs == nil {
		// a cell without //gossl:input lines runs as with allow_stdin false
		return "", errors.New("this frontend does not support input (allow_stdin is false)")
	}
	if len(o.inputs) == 0 {
		return "", errors.New("no more input")
	}
	in := o.inputs[0]
	o.inputs = o.inputs[1:]
	o.asked = append(o.asked, in)
	return in, nil
}

func (o *fakeOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
