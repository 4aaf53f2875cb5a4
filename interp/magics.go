package interp

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/internal/proc"
)

const helpText = `gossl: Go cells on the yaegi interpreter.

Cells hold any mix of imports, declarations and statements. The value of the
last expression is shown; end the cell with ";" to hide it.

Magics (at the top of a cell, one per line):
  %help              this text
  %env               list the environment
  %env KEY=VALUE     set an environment variable
  %reset             forget every name: a fresh session
  %time              time the rest of the cell
  %who               names in scope, with their types
  %go get MOD[@VER]  add a module to the session's go.mod (imports of
                     third-party packages fetch them automatically)
  !cmd               run a shell command, its output streamed

Keys: Tab completes, Shift-Tab shows documentation.
Input: fmt.Scan and os.Stdin ask the notebook; an empty answer ends input.
`

// runMagics runs the magic lines at the top of code. It returns the rest
// of the code, or handled when nothing remains to run as Go.
func (s *Session) runMagics(ctx context.Context, code string, out Output) (rest string, handled bool, err error) {
	lines := strings.Split(code, "\n")
	i := 0
	ran := false
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "%") && !strings.HasPrefix(line, "!") {
			break
		}
		ran = true
		// Keep the line count so positions in the Go below stay right.
		goCode := strings.Repeat("\n", i+1) + strings.Join(lines[i+1:], "\n")
		switch {
		case strings.HasPrefix(line, "!"):
			if err := s.shell(ctx, strings.TrimPrefix(line, "!"), out); err != nil {
				return "", true, err
			}
		case line == "%help":
			out.Stream("stdout", helpText)
		case line == "%env":
			env := os.Environ()
			sort.Strings(env)
			out.Stream("stdout", strings.Join(env, "\n")+"\n")
		case strings.HasPrefix(line, "%env "):
			kv := strings.TrimSpace(strings.TrimPrefix(line, "%env "))
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				k, v, ok = strings.Cut(kv, " ")
			}
			if !ok || strings.TrimSpace(k) == "" {
				return "", true, &CellError{Name: "UsageError", Msg: "usage: %env KEY=VALUE"}
			}
			if err := os.Setenv(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
				return "", true, &CellError{Name: "UsageError", Msg: err.Error()}
			}
		case line == "%reset":
			if err := s.reset(); err != nil {
				return "", true, &CellError{Name: "ResetError", Msg: err.Error()}
			}
		case line == "%who":
			out.Stream("stdout", s.who())
		case line == "%time":
			start := time.Now()
			b, err := s.runGo(ctx, goCode)
			out.Stream("stdout", fmt.Sprintf("time: %v\n", time.Since(start).Round(time.Microsecond)))
			return "", true, s.timedResult(out, b, err)
		case strings.HasPrefix(line, "%go get "):
			spec := strings.TrimSpace(strings.TrimPrefix(line, "%go get "))
			// go's progress is not an error: stdout, as for imports.
			if err := s.mods.Get(ctx, streamWriter{out, "stdout"}, spec); err != nil {
				return "", true, &CellError{Name: "ImportError", Msg: err.Error()}
			}
		default:
			name, _, _ := strings.Cut(line, " ")
			return "", true, &CellError{Name: "UsageError", Msg: fmt.Sprintf("unknown magic %s; %%help lists them", name)}
		}
		lines[i] = ""
	}
	rest = strings.Join(lines, "\n")
	if ran && strings.TrimSpace(rest) == "" {
		return "", true, nil
	}
	return rest, false, nil
}

// timedResult shows the result of a %time cell, which has no other way
// back to the kernel than the publisher.
func (s *Session) timedResult(out Output, b *display.Bundle, err error) error {
	if err != nil {
		return err
	}
	if b != nil {
		return out.Display(*b)
	}
	return nil
}

// shell runs a command with sh, streaming its output to the cell.
func (s *Session) shell(ctx context.Context, command string, out Output) error {
	// killed as a whole on interrupt, and by Close (s.children)
	cmd := proc.Command(ctx, "sh", "-c", command)
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		pr.Close()
		return &CellError{Name: "ShellError", Msg: err.Error()}
	}
	pw.Close()
	s.children.Store(cmd.Process.Pid, true)
	defer s.children.Delete(cmd.Process.Pid)
	stopReading := context.AfterFunc(ctx, func() {
		// a background job that left the group may hold the pipe
		time.AfterFunc(cmd.WaitDelay, func() { pr.Close() })
	})
	defer stopReading()
	r := bufio.NewReader(pr)
	buf := make([]byte, 32<<10)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			out.Stream("stdout", string(buf[:n]))
		}
		if rerr != nil {
			break
		}
	}
	pr.Close()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return &CellError{Name: "Interrupted", Msg: "the command was interrupted"}
		}
		return &CellError{Name: "ShellError", Msg: fmt.Sprintf("!%s: %v", command, err)}
	}
	return nil
}

// who lists the session's names with their types.
func (s *Session) who() string {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	var rows []string
	for name, v := range ip.Globals() {
		if strings.HasPrefix(name, "_") {
			continue
		}
		t := "?"
		if v.IsValid() {
			t = v.Type().String()
		}
		rows = append(rows, name+"\t"+t)
	}
	for _, name := range s.decls.names() {
		if !strings.Contains(name, ".") {
			rows = append(rows, name+"\t(declared)")
		}
	}
	sort.Strings(rows)
	if len(rows) == 0 {
		return "no names defined\n"
	}
	return strings.Join(rows, "\n") + "\n"
}
