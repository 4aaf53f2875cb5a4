package main

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp"
	"github.com/gossl/gossl/kernel"
)

var _ kernel.Evaluator = (*evaluator)(nil)

// recordingOutput is a kernel.Output that keeps what a cell sends.
type recordingOutput struct {
	mu       sync.Mutex
	streams  strings.Builder
	displays []display.Bundle
}

func (o *recordingOutput) Display(b display.Bundle) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.displays = append(o.displays, b)
	return nil
}
func (o *recordingOutput) Update(b display.Bundle) error { return o.Display(b) }
func (o *recordingOutput) Clear(bool) error              { return nil }
func (o *recordingOutput) Stream(_, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.streams.WriteString(text)
}
func (o *recordingOutput) Input(string, bool) (string, error) {
	return "", errors.New("no stdin in this test")
}

// The adapter hands each request to the session once it has started:
// cells share one scope, and completion, inspection and the completeness
// check answer as the session does.
func TestEvaluatorServesTheSession(t *testing.T) {
	e := startEvaluator(interp.Options{NoCapture: true})
	defer func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	// kernel_info is answered while the session still starts.
	if li := e.LanguageInfo(); li.Name != "go" || li.Version != strings.TrimPrefix(runtime.Version(), "go") ||
		li.MIMEType != "text/x-go" || li.FileExtension != ".go" {
		t.Errorf("LanguageInfo = %+v, want Go at this toolchain's version", li)
	}
	ctx := context.Background()
	out := &recordingOutput{}
	if _, err := e.Execute(ctx, "answer := 40 + 2", out); err != nil {
		t.Fatalf("declaring a variable: %v", err)
	}
	b, err := e.Execute(ctx, "answer", out)
	if err != nil {
		t.Fatalf("reading it back: %v", err)
	}
	if b == nil || b.Data["text/plain"] != "42" {
		t.Fatalf("execute_result %+v, want text/plain 42", b)
	}
	if _, err := e.Execute(ctx, "undefinedName + 1", out); err == nil || !strings.Contains(err.Error(), "undefinedName") {
		t.Errorf("a cell with an undefined name: err = %v, want one that names it", err)
	}

	code := "fmt.Print"
	matches, start, end := e.Complete(code, len(code))
	if !slices.Contains(matches, "Println") || start != len("fmt.") || end != len(code) {
		t.Errorf("Complete(%q) = %v [%d:%d], want Println over [4:9]", code, matches, start, end)
	}
	if status, indent := e.IsComplete("func f() {"); status != "incomplete" || indent == "" {
		t.Errorf("IsComplete of an open brace = %q, %q; want incomplete with an indent", status, indent)
	}
	if status, _ := e.IsComplete("answer"); status != "complete" {
		t.Errorf("IsComplete(answer) = %q, want complete", status)
	}
	help, err := e.Inspect("answer", len("answer"), 0)
	if err != nil || help == nil || !strings.Contains(help.Data["text/plain"].(string), "int") {
		t.Errorf("Inspect(answer) = %+v, %v; want help that gives its type int", help, err)
	}
}

// A session that cannot start is reported on every request that needs
// it, wrapped so callers can test the cause, and never blocks or panics.
func TestEvaluatorReportsAFailedStart(t *testing.T) {
	t.Setenv("GOSSL_MEMORY_LIMIT", "lots")
	e := startEvaluator(interp.Options{NoCapture: true})
	_, err := e.Execute(context.Background(), "1 + 1", &recordingOutput{})
	if err == nil || !strings.HasPrefix(err.Error(), "starting the Go session: ") || errors.Unwrap(err) == nil {
		t.Fatalf("Execute: err = %v, want the start failure wrapped with %%w", err)
	}
	if !strings.Contains(err.Error(), "GOSSL_MEMORY_LIMIT") {
		t.Errorf("the start failure %q does not name its cause", err)
	}
	if _, err2 := e.Inspect("x", 1, 0); !errors.Is(err2, errors.Unwrap(err)) {
		t.Errorf("Inspect: err = %v, want the same start failure", err2)
	}
	if m, start, end := e.Complete("fmt.P", 5); m != nil || start != 5 || end != 5 {
		t.Errorf("Complete = %v [%d:%d], want no matches at the cursor", m, start, end)
	}
	if status, _ := e.IsComplete("x"); status != "unknown" {
		t.Errorf("IsComplete = %q, want unknown", status)
	}
	if li := e.LanguageInfo(); li.Name != "go" {
		t.Errorf("LanguageInfo = %+v, want Go whether or not the session started", li)
	}
	if err := e.Close(); err != nil {
		t.Errorf("Close after a failed start: %v", err)
	}
}
