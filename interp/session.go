package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/internal/capture"
	"github.com/gossl/gossl/interp/internal/modules"
	"github.com/gossl/gossl/interp/internal/proc"
	"github.com/gossl/gossl/interp/internal/symbols"
	"github.com/gossl/gossl/sslkit/ambient"
)

// Options configures a Session.
type Options struct {
	// NoCapture leaves fds 1 and 2 alone; output of compiled code then
	// bypasses the cell. For embedding a Session in a program with its own
	// use of stdout. The kernel leaves it false.
	NoCapture bool
	// ModuleDir holds the session's go.mod for third-party imports. Empty
	// means a fresh temporary directory, removed by Close.
	ModuleDir string
	// GoCommand is the go command used to fetch modules ("go" if empty).
	GoCommand string
	// MemoryLimit is the ceiling on the process's memory in bytes, past
	// which allocations in cells fail with a MemoryError and a running
	// cell is stopped (see guard.go). 0 reads GOSSL_MEMORY_LIMIT, whose
	// default is 75% of the machine's (or cgroup's) memory; negative
	// means none. The limit is the process's: sessions share it.
	MemoryLimit int64
	// MaxCallDepth bounds nested calls of functions declared in cells
	// (0: GOSSL_MAX_DEPTH or DefaultMaxCallDepth).
	MaxCallDepth int
}

// Session is one notebook's Go interpreter: the scope cells share, with
// yaegi's gaps (modern syntax, redefinition, output capture, panics in
// goroutines) closed around it.
type Session struct {
	opts Options

	execMu sync.Mutex // one cell at a time

	// mu guards the interpreter and the scope bookkeeping, which Complete,
	// Inspect and IsComplete read while a cell runs.
	mu         sync.Mutex
	ip         *yaegi.Interpreter
	imports    map[string]string // package name in the cell scope -> import path
	cellDefers bool              // the running cell's top-level statements defer calls (execMu)
	decls      *declRegistry
	rt         *runtimeState
	trace      *panicTrace
	mods       *modules.Modules

	stdin    *capture.Stdin
	out      atomic.Pointer[Output] // the running cell's output
	cell     atomic.Int64           // number of the running or last cell
	cellStop atomic.Pointer[cellStopper]
	late     lateGoPanics
	code     atomic.Pointer[string] // the running cell's code
	kept     atomic.Int64           // numbers the packages of defineFromGeneric
	captured bool
	closed   bool

	children sync.Map // process groups of running ! commands, by pid

	deep struct { // the deepest calls past the depth limit (see tooDeep)
		mu     sync.Mutex
		frames []tracePos
	}
}

// cellStopper ends the running cell early, with an error (a goroutine it
// started panicked).
type cellStopper struct {
	cancel context.CancelCauseFunc
}

// New starts a session. Unless opts.NoCapture is set it takes over fds 1
// and 2 until Close, forwarding output to the running cell.
func New(opts Options) (*Session, error) {
	if err := applyLimits(opts); err != nil {
		return nil, err
	}
	s := &Session{opts: opts, imports: map[string]string{}, decls: newDeclRegistry()}
	s.stdin = capture.NewStdin(func() capture.Frontend {
		if out := s.currentOutput(); out != nil {
			return out
		}
		return nil
	})
	s.trace = &panicTrace{}
	mods, err := modules.New(opts.ModuleDir, opts.GoCommand)
	if err != nil {
		return nil, err
	}
	s.mods = mods
	if err := s.reset(); err != nil {
		mods.Close()
		return nil, err
	}
	if !opts.NoCapture {
		if err := capture.Acquire(); err != nil {
			mods.Close()
			return nil, err
		}
		s.captured = true
	}
	return s, nil
}

// reset makes a fresh interpreter with the prelude: the start of a session
// and %reset.
func (s *Session) reset() error {
	ip := yaegi.New(yaegi.Options{
		Stdin:                s.stdin,
		Stdout:               os.Stdout,
		Stderr:               s.trace,
		Unrestricted:         true,
		GoPath:               modules.GOPATH,
		SourcecodeFilesystem: s.mods,
	})
	if err := ip.Use(symbols.Symbols); err != nil {
		return fmt.Errorf("loading symbols: %w", err)
	}
	// yaegi's Use replaces log.Fatal by log.Panic and leaves os.Stdin a
	// file; put back exits as errors and stdin through the frontend.
	if err := ip.Use(s.overrides()); err != nil {
		return fmt.Errorf("loading overrides: %w", err)
	}
	rt := &runtimeState{s: s}
	if err := ip.Use(rt.exports()); err != nil {
		return fmt.Errorf("loading runtime: %w", err)
	}
	if err := loadGenericSources(ip); err != nil {
		return fmt.Errorf("loading generic stdlib: %w", err)
	}
	if _, err := ip.Eval(prelude); err != nil {
		return fmt.Errorf("loading prelude: %w", err)
	}
	if err := loadHelpers(ip); err != nil {
		return fmt.Errorf("loading helpers: %w", err)
	}
	s.mu.Lock()
	s.ip, s.rt = ip, rt
	s.imports = map[string]string{}
	s.decls = newDeclRegistry()
	s.mu.Unlock()
	return nil
}

func (s *Session) overrides() yaegi.Exports {
	var stdin io.Reader = s.stdin
	return yaegi.Exports{
		// all of log again: yaegi's Use swaps in its own logger, whose
		// SetFlags would not reach the standard logger log.Fatal uses.
		"log/log": symbols.Symbols["log/log"],
		"os/os": {
			"Exit":  symbols.Symbols["os/os"]["Exit"],
			"Stdin": reflect.ValueOf(&stdin).Elem(),
		},
	}
}

// Close ends the session and gives fds 1 and 2 back.
func (s *Session) Close() error {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.children.Range(func(pid, _ any) bool {
		proc.KillTree(pid.(int))
		return true
	})
	if s.captured {
		capture.Release()
	}
	return s.mods.Close()
}

// Execute runs one cell; see kernel.Evaluator.
func (s *Session) Execute(ctx context.Context, code string, out Output) (b *display.Bundle, err error) {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if s.closed {
		return nil, errors.New("session closed")
	}
	atomic.StoreInt64(&s.rt.cell, s.cell.Add(1))
	s.resetDepth()
	out = orderedOutput{out}
	s.out.Store(&out)
	defer s.out.Store(nil)
	s.code.Store(&code)
	prevPub := display.SetPublisher(out)
	defer display.SetPublisher(prevPub)
	defer capture.To(out.Stream)()
	restoreCtx := ambient.Set(ctx)
	defer restoreCtx()
	s.stdin.StartCell()
	s.reportLateGoroutinePanics(out)
	defer func() {
		s.mu.Lock()
		s.releaseCompiled(err) // retain.go
		s.mu.Unlock()
	}()

	defer func() {
		// Anything escaping here is a bug in interp itself; the kernel
		// must still get an error reply and live on.
		if r := recover(); r != nil {
			b, err = nil, &CellError{Name: "InternalError", Msg: fmt.Sprint(r)}
		}
	}()
	return s.runCell(ctx, code, out)
}

// runCell runs the magics at the top of code, then the Go.
func (s *Session) runCell(ctx context.Context, code string, out Output) (*display.Bundle, error) {
	rest, handled, err := s.runMagics(ctx, code, out)
	if err != nil || handled {
		return nil, err
	}
	return s.runGo(ctx, rest)
}

// runGo runs Go source: chunk by chunk, stopping at the first error,
// then the cell's top-level defers.
func (s *Session) runGo(ctx context.Context, code string) (b *display.Bundle, err error) {
	s.cellDefers = false
	s.rt.defers.reset() // an interrupted cell may have left some
	defer func() {
		if !s.cellDefers {
			return
		}
		if derr := s.runCellDefers(ctx, code); derr != nil && err == nil {
			b, err = nil, derr
		}
	}()
	chunks := splitCell(code)
	suppress := endsWithSemicolon(code)
	for i, ch := range chunks {
		wantResult := i == len(chunks)-1 && !suppress
		var err error
		var b *display.Bundle
		switch ch.kind {
		case declChunk:
			err = s.evalDecls(ctx, code, ch)
		default:
			b, err = s.evalStmts(ctx, code, ch, wantResult)
		}
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
	}
	return nil, nil
}

// endsWithSemicolon tells whether the last token of code is an explicit
// ";", which hides the cell's result as in IPython.
func endsWithSemicolon(code string) bool {
	t := strings.TrimRight(stripTrailingComments(code), " \t\r\n")
	return strings.HasSuffix(t, ";")
}

// stripTrailingComments removes // comments from the end of each line, as
// far as a line-based look can tell (a "//" in a string is rare at a cell
// end and only affects the suppression check).
func stripTrailingComments(code string) string {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "//"); j >= 0 && !strings.Contains(l[:j], "\"") && !strings.Contains(l[:j], "`") {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}

// currentOutput is the running cell's Output, or nil between cells.
func (s *Session) currentOutput() Output {
	if p := s.out.Load(); p != nil {
		return *p
	}
	return nil
}
