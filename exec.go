package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp"
	"github.com/gossl/gossl/runner"
)

const execUsage = `usage: gossl exec NOTEBOOK.ipynb [-o OUT.ipynb] [--html OUT.html] [-p name=value ...]
                  [--timeout D] [--allow-errors]

Runs the notebook's code cells in order in one Go session (the kernel's,
without Jupyter), in the notebook's directory, and records their outputs.
-p sets a variable of the cell tagged "parameters" (papermill's
convention). Without -o the notebook is not written; -o with the input's
own path updates it in place. A progress line per cell goes to stderr.
Exit status: 0 when every cell ran, 1 when a cell failed, 130 on Ctrl-C.
`

// paramFlags collects repeated -p name=value flags.
type paramFlags map[string]string

func (p paramFlags) String() string { return fmt.Sprint(map[string]string(p)) }

func (p paramFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	p[name] = value
	return nil
}

// execExit carries the exit status of gossl exec.
type execExit struct {
	code int
	err  error
}

func (e *execExit) Error() string { return e.err.Error() }

func runExec(args []string) error {
	fl := flag.NewFlagSet("exec", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	out := fl.String("o", "", "write the executed notebook to `OUT.ipynb`")
	htmlOut := fl.String("html", "", "write a self-contained HTML page to `OUT.html`")
	params := paramFlags{}
	fl.Var(params, "p", "set a parameter: `name=value` (repeatable)")
	timeout := fl.Duration("timeout", 0, "interrupt a cell that runs longer than `D` (0: no limit)")
	allowErrors := fl.Bool("allow-errors", false, "run on after a failing cell")
	// The notebook may come before or after the flags.
	var positional []string
	for len(args) > 0 {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Print(execUsage)
				return nil
			}
			return fmt.Errorf("exec: %v\n\n%s", err, execUsage)
		}
		args = fl.Args()
		if len(args) > 0 {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	if len(positional) != 1 {
		return fmt.Errorf("exec: want one notebook, got %d arguments\n\n%s", len(positional), execUsage)
	}
	path := positional[0]
	nb, err := runner.ReadFile(path)
	if err != nil {
		return err
	}
	warnings, err := nb.InjectParameters(params)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "gossl exec: warning: %s\n", w)
	}

	// Cells run in the notebook's directory, as Jupyter starts kernels
	// there; the output paths are taken relative to where gossl was run.
	for _, p := range []*string{out, htmlOut} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			if err != nil {
				return err
			}
			*p = abs
		}
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.Chdir(dir); err != nil {
			return fmt.Errorf("exec: %w", err)
		}
	}

	// The session takes over fds 1 and 2 to capture what cells print; the
	// progress lines go to a copy of the original stderr.
	logFD, err := syscall.Dup(2)
	if err != nil {
		return fmt.Errorf("duplicating stderr: %w", err)
	}
	logf := os.NewFile(uintptr(logFD), "stderr")
	defer logf.Close()
	fmt.Fprintf(logf, "gossl exec: %s: starting the Go session\n", path)
	session, err := interp.New(interp.Options{})
	if err != nil {
		return fmt.Errorf("starting the Go session: %w", err)
	}
	defer session.Close()

	// Ctrl-C interrupts the running cell and ends the run; a second one
	// exits at once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		fmt.Fprintln(logf, "gossl exec: interrupting the running cell (Ctrl-C again to quit at once)")
		cancel()
		<-sigs
		os.Exit(130)
	}()

	res, runErr := runner.Run(ctx, nb, sessionEvaluator{session}, runner.Options{
		Timeout:     *timeout,
		AllowErrors: *allowErrors,
		Progress:    logf,
	})
	fmt.Fprintf(logf, "gossl exec: %s: %d cells in %s, %d errors\n",
		path, res.Executed, res.Duration.Round(100*time.Millisecond), res.Errors)
	// The outputs are written even after a failure: they show where and why.
	if *out != "" {
		if err := nb.WriteFile(*out); err != nil {
			return err
		}
		fmt.Fprintf(logf, "gossl exec: wrote %s\n", *out)
	}
	if *htmlOut != "" {
		title := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if err := runner.WriteHTMLFile(*htmlOut, nb, title); err != nil {
			return err
		}
		fmt.Fprintf(logf, "gossl exec: wrote %s\n", *htmlOut)
	}
	switch {
	case runErr == nil:
		return nil
	case ctx.Err() != nil:
		return &execExit{130, fmt.Errorf("%s: interrupted", path)}
	default:
		return &execExit{1, fmt.Errorf("%s: %w", path, runErr)}
	}
}

// sessionEvaluator gives the Go session the runner's Evaluator method set
// (the two packages do not know each other).
type sessionEvaluator struct{ s *interp.Session }

func (e sessionEvaluator) Execute(ctx context.Context, code string, out runner.Frontend) (*display.Bundle, error) {
	return e.s.Execute(ctx, code, out)
}
