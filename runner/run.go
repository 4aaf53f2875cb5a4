package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gossl/gossl/display"
)

// Evaluator runs one cell, sending its output to out while it runs; the
// returned bundle is the cell's execute_result. *interp.Session has this
// method with interp.Output, which has Frontend's method set, so a one-line
// adapter connects the two (see gossl's main.go).
type Evaluator interface {
	Execute(ctx context.Context, code string, out Frontend) (*display.Bundle, error)
}

// Frontend is where a running cell's output goes, what a Jupyter frontend
// would receive: the method set of interp.Output and kernel.Output.
type Frontend interface {
	display.Publisher
	Stream(name, text string)
	Input(prompt string, password bool) (string, error)
}

// ErrorDetails is what an error returned by Execute may implement to give
// the error output its name and traceback (interp.CellError does).
type ErrorDetails interface {
	error
	ErrorName() string
	Traceback() []string
}

// Options tune a run.
type Options struct {
	// Timeout limits each cell; zero means no limit. A cell that runs
	// longer is interrupted and fails with a CellTimeoutError output.
	Timeout time.Duration
	// AllowErrors runs on after a failing cell, as nbclient's
	// allow_errors; otherwise the run stops at the first error, except
	// in cells tagged raises-exception.
	AllowErrors bool
	// Progress, if not nil, gets one line per code cell run.
	Progress io.Writer
	// Input answers stdin reads of the cells; nil makes them fail, as a
	// frontend without stdin does.
	Input func(prompt string, password bool) (string, error)
}

// Result summarises a run.
type Result struct {
	Executed int           // code cells run
	Errors   int           // cells whose error was recorded
	Duration time.Duration // the whole run
	// Failed is the cell (index into Notebook.Cells) that stopped the
	// run, or -1.
	Failed int
}

// CellError is returned by Run when a cell failed and the run stopped.
type CellError struct {
	Index  int    // into Notebook.Cells
	Count  int    // the cell's execution count
	EName  string // the error output's name and value
	EValue string
}

func (e *CellError) Error() string {
	return fmt.Sprintf("cell %d (In [%d]) failed: %s: %s", e.Index+1, e.Count, e.EName, e.EValue)
}

// ErrNoInput is what stdin reads get when Options.Input is nil.
var ErrNoInput = errors.New("stdin is not available when running a notebook (gossl exec)")

// Run executes the notebook's code cells in order with eval, replacing
// their outputs and execution counts. Markdown and raw cells are left as
// they are; empty code cells are skipped, as nbclient does. When a cell
// fails, its error is recorded and, unless opts.AllowErrors or the cell is
// tagged raises-exception, Run stops and returns a *CellError (the cells
// after it keep no outputs). When ctx is cancelled (Ctrl-C) the running
// cell is interrupted and Run returns ctx's error.
func Run(ctx context.Context, nb *Notebook, eval Evaluator, opts Options) (Result, error) {
	start := time.Now()
	res := Result{Failed: -1}
	for _, c := range nb.Cells {
		if c.Type == "code" {
			c.Outputs, c.ExecutionCount = nil, nil
			delete(c.Metadata, "execution") // nbclient's timings of an earlier run
		}
	}
	rec := &recorder{displays: map[string][]*Output{}, input: opts.Input}
	total := 0
	for _, c := range nb.Cells {
		if c.Type == "code" && strings.TrimSpace(c.Source) != "" {
			total++
		}
	}
	count := 0
	for i, c := range nb.Cells {
		if c.Type != "code" || strings.TrimSpace(c.Source) == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return finish(res, start), err
		}
		count++
		n := count
		c.ExecutionCount = &n
		rec.startCell(c)
		t0 := time.Now()
		out := runCell(ctx, eval, c.Source, rec, opts.Timeout)
		rec.endCell()
		res.Executed++
		status := "ok"
		if out.err != nil {
			status = out.ename
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "[%*d/%d] In [%d] %-12s %6.1fs  %s\n",
				len(fmt.Sprint(total)), count, total, n, status, time.Since(t0).Seconds(), firstLine(c.Source))
		}
		if out.err == nil {
			if out.result != nil && len(out.result.Data) > 0 {
				rec.add(&Output{Type: "execute_result", Data: out.result.Data,
					Metadata: out.result.Metadata, ExecutionCount: &n})
			}
			continue
		}
		rec.add(&Output{Type: "error", EName: out.ename, EValue: out.evalue, Traceback: out.traceback})
		res.Errors++
		if out.stuck {
			res.Failed = i
			return finish(res, start), fmt.Errorf("cell %d (In [%d]) did not stop after its timeout; giving up: %s", i+1, n, out.evalue)
		}
		if ctx.Err() != nil {
			res.Failed = i
			return finish(res, start), ctx.Err()
		}
		if opts.AllowErrors || c.HasTag(RaisesExceptionTag) {
			continue
		}
		res.Failed = i
		return finish(res, start), &CellError{Index: i, Count: n, EName: out.ename, EValue: out.evalue}
	}
	return finish(res, start), nil
}

func finish(r Result, start time.Time) Result {
	r.Duration = time.Since(start)
	return r
}

func firstLine(src string) string {
	src = strings.TrimSpace(src)
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		src = src[:i] + " …"
	}
	if r := []rune(src); len(r) > 60 {
		src = string(r[:59]) + "…"
	}
	return src
}

type cellOutcome struct {
	result        *display.Bundle
	err           error
	ename, evalue string
	traceback     []string
	stuck         bool // the cell did not return after its timeout
}

// stuckGrace is how long a timed-out or interrupted cell gets to notice;
// compiled code that never checks its context cannot be stopped.
var stuckGrace = 30 * time.Second

// runCell runs one cell with its timeout, turning a panic of the
// evaluator into an error.
func runCell(ctx context.Context, eval Evaluator, code string, out Frontend, timeout time.Duration) cellOutcome {
	cellCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if timeout > 0 {
		t := time.AfterFunc(timeout, func() { cancel(&timeoutError{timeout}) })
		defer t.Stop()
	}
	done := make(chan cellOutcome, 1)
	go func() {
		var o cellOutcome
		defer func() {
			if r := recover(); r != nil {
				o = cellOutcome{err: fmt.Errorf("internal error in the Go session: %v\n%s", r, debug.Stack())}
			}
			done <- o
		}()
		o.result, o.err = eval.Execute(cellCtx, code, out)
	}()
	var o cellOutcome
	select {
	case o = <-done:
	case <-cellCtx.Done():
		select {
		case o = <-done:
		case <-time.After(stuckGrace):
			o = cellOutcome{err: context.Cause(cellCtx), stuck: true}
		}
	}
	if o.err == nil {
		return o
	}
	cause := context.Cause(cellCtx)
	var te *timeoutError
	switch {
	case errors.As(cause, &te):
		o.ename, o.evalue = "CellTimeoutError", te.Error()
		o.traceback = []string{"\x1b[0;31mCellTimeoutError\x1b[0m: " + te.Error()}
	default:
		var details ErrorDetails
		if errors.As(o.err, &details) {
			o.ename, o.evalue, o.traceback = details.ErrorName(), details.Error(), details.Traceback()
		} else if cellCtx.Err() != nil {
			o.ename, o.evalue = "Interrupted", "the cell was interrupted"
			o.traceback = []string{"\x1b[0;31mInterrupted\x1b[0m: the cell was interrupted"}
		} else {
			o.ename, o.evalue = "Error", o.err.Error()
			o.traceback = []string{"\x1b[0;31mError\x1b[0m: " + o.err.Error()}
		}
	}
	if o.traceback == nil {
		o.traceback = []string{}
	}
	return o
}

type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("the cell ran longer than the timeout of %s and was interrupted", e.d)
}

// recorder is the Frontend of the running cell: it turns streams, displays,
// updates and clears into nbformat outputs as a frontend shows them.
type recorder struct {
	mu        sync.Mutex
	cell      *Cell
	displays  map[string][]*Output // display id → every output shown with it, in any cell
	clearWait bool                 // clear_output(wait=True) is pending
	input     func(string, bool) (string, error)
}

func (r *recorder) startCell(c *Cell) {
	r.mu.Lock()
	r.cell, r.clearWait = c, false
	r.mu.Unlock()
}

func (r *recorder) endCell() {
	r.mu.Lock()
	r.clearWait = false
	r.mu.Unlock()
}

// add appends o to the running cell, merging consecutive stream text.
func (r *recorder) add(o *Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(o)
}

func (r *recorder) addLocked(o *Output) {
	if r.cell == nil {
		return
	}
	if r.clearWait {
		r.cell.Outputs = nil
		r.clearWait = false
	}
	if o.Type == "stream" {
		if k := len(r.cell.Outputs); k > 0 {
			last := r.cell.Outputs[k-1]
			if last.Type == "stream" && last.Name == o.Name {
				last.Text += o.Text
				return
			}
		}
	}
	r.cell.Outputs = append(r.cell.Outputs, o)
}

func (r *recorder) Stream(name, text string) {
	if text == "" {
		return
	}
	if name != "stderr" {
		name = "stdout"
	}
	r.add(&Output{Type: "stream", Name: name, Text: text})
}

func (r *recorder) Display(b display.Bundle) error {
	if len(b.Data) == 0 {
		return errors.New("empty display bundle")
	}
	o := &Output{Type: "display_data", Data: copyMap(b.Data), Metadata: copyMap(b.Metadata), displayID: b.ID}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(o)
	if b.ID != "" {
		r.displays[b.ID] = append(r.displays[b.ID], o)
	}
	return nil
}

// Update replaces every output shown with b.ID, in this cell or earlier
// ones, as update_display_data does in a frontend. An id never shown
// updates nothing.
func (r *recorder) Update(b display.Bundle) error {
	if b.ID == "" {
		return errors.New("display.Update needs the display id of an earlier display")
	}
	if len(b.Data) == 0 {
		return errors.New("empty display bundle")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.displays[b.ID] {
		o.Data, o.Metadata = copyMap(b.Data), copyMap(b.Metadata)
	}
	return nil
}

func (r *recorder) Clear(wait bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cell == nil {
		return nil
	}
	if wait {
		r.clearWait = true
		return nil
	}
	r.cell.Outputs = nil
	return nil
}

func (r *recorder) Input(prompt string, password bool) (string, error) {
	if r.input == nil {
		return "", ErrNoInput
	}
	return r.input(prompt, password)
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
