package interp

import (
	"context"
	"testing"
)

// promptOutput answers every stdin read with its next line and records
// the prompts it was asked with.
type promptOutput struct {
	fakeOutput
	lines   []string
	prompts []string
}

func (o *promptOutput) Input(prompt string, password bool) (string, error) {
	o.prompts = append(o.prompts, prompt)
	if len(o.lines) == 0 {
		return "", nil
	}
	l := o.lines[0]
	o.lines = o.lines[1:]
	return l, nil
}

func TestStdinAsksWithAPrompt(t *testing.T) {
	s := newTestSession(t)
	out := &promptOutput{lines: []string{"gopher"}}
	b, err := s.Execute(context.Background(), "import \"fmt\"\nvar name string\nfmt.Scanln(&name)\nname", out)
	if err != nil || b == nil || b.Data["text/plain"] != "gopher" {
		t.Fatalf("reading stdin: %v, %v", b, err)
	}
	if len(out.prompts) == 0 {
		t.Fatal("stdin was never asked")
	}
	for _, p := range out.prompts {
		if p == "" {
			t.Errorf("stdin asked with an empty prompt")
		}
	}
}
