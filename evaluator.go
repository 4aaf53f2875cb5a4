package main

import (
	"context"
	"fmt"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp"
	"github.com/gossl/gossl/kernel"
)

// evaluator adapts the Go session to the kernel's Evaluator interface (the
// two packages do not know each other). The session starts in the
// background so the kernel answers kernel_info while symbols load (the
// language is known without it); the first cell waits for it.
type evaluator struct {
	ready   chan struct{}
	session *interp.Session
	err     error
}

func startEvaluator(opts interp.Options) *evaluator {
	e := &evaluator{ready: make(chan struct{})}
	go func() {
		defer close(e.ready)
		e.session, e.err = interp.New(opts)
		if e.err != nil {
			e.err = fmt.Errorf("starting the Go session: %w", e.err)
		}
	}()
	return e
}

func (e *evaluator) wait() (*interp.Session, error) {
	<-e.ready
	return e.session, e.err
}

func (e *evaluator) Close() error {
	if s, err := e.wait(); err == nil {
		return s.Close()
	}
	return nil
}

func (e *evaluator) Execute(ctx context.Context, code string, out kernel.Output) (*display.Bundle, error) {
	s, err := e.wait()
	if err != nil {
		return nil, err
	}
	return s.Execute(ctx, code, out)
}

func (e *evaluator) Complete(code string, cursor int) ([]string, int, int) {
	s, err := e.wait()
	if err != nil {
		return nil, cursor, cursor
	}
	return s.Complete(code, cursor)
}

func (e *evaluator) Inspect(code string, cursor, detail int) (*display.Bundle, error) {
	s, err := e.wait()
	if err != nil {
		return nil, err
	}
	return s.Inspect(code, cursor, detail)
}

func (e *evaluator) IsComplete(code string) (string, string) {
	s, err := e.wait()
	if err != nil {
		return "unknown", ""
	}
	return s.IsComplete(code)
}

func (e *evaluator) LanguageInfo() kernel.LanguageInfo {
	return kernel.LanguageInfo(interp.Language()) // the same fields; no need to wait for the session
}
