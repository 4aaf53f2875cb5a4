package interp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// CellError is an error of a cell, positioned in the cell's own source. It
// implements the kernel's ErrorDetails (ErrorName, Traceback).
type CellError struct {
	Name      string   // SyntaxError, CompileError, panic, Exit, Interrupted, ...
	Msg       string   // the message, without position
	Line, Col int      // 1-based position in the cell; 0 when unknown
	Source    string   // the offending line of the cell
	Frames    []string // further lines: calls the panic went through
}

// Error is the message with its position; the kernel shows it after
// ErrorName, so it does not repeat the name.
func (e *CellError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return e.Msg
}

// ErrorName is the error's class name in the error reply.
func (e *CellError) ErrorName() string { return e.Name }

// Traceback is the error reply's traceback: the message, the cell line and
// a caret under the column, then the frames a panic went through.
func (e *CellError) Traceback() []string {
	const red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
	tb := []string{red + bold + e.Name + reset + ": " + e.Msg}
	if e.Line > 0 {
		tb = append(tb, fmt.Sprintf("cell line %d, column %d:", e.Line, e.Col))
		if e.Source != "" {
			prefix := fmt.Sprintf("%5d | ", e.Line)
			tb = append(tb, prefix+e.Source)
			caret := strings.Repeat(" ", len(prefix)+caretIndent(e.Source, e.Col-1)) + red + "^" + reset
			tb = append(tb, caret)
		}
	}
	return append(tb, e.Frames...)
}

// caretIndent is the width of the first n bytes of line, tabs kept as
// tabs would misalign, so they count as one column like the terminal's.
func caretIndent(line string, n int) int {
	n = max(0, min(n, len(line)))
	return len([]rune(line[:n]))
}

// at positions e at line:col of cell and records the source line.
func (e *CellError) at(cell string, line, col int) {
	e.Line, e.Col = line, col
	lines := strings.Split(cell, "\n")
	if line >= 1 && line <= len(lines) {
		e.Source = strings.ReplaceAll(lines[line-1], "\t", " ")
	}
}

var positionRE = regexp.MustCompile(`^(?:[^\s:]*:)?(\d+):(\d+): (.*)$`)

// splitPosition splits yaegi's "file:line:col: message".
func splitPosition(msg string) (line, col int, rest string, ok bool) {
	first, more, _ := strings.Cut(msg, "\n")
	m := positionRE.FindStringSubmatch(first)
	if m == nil {
		return 0, 0, msg, false
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	rest = m[3]
	if more != "" {
		rest += "\n" + more
	}
	return line, col, rest, true
}

// tracePos is one interpreted frame a panic unwound through.
type tracePos struct {
	line, col int
	fn        string
}

var panicLineRE = regexp.MustCompile(`^(?:[^\s:]*:)?(\d+):(\d+): panic(?:: (.*)\(\.\.\.\))?$`)

// panicTrace is the interpreter's stderr. yaegi prints a "line:col: panic"
// line for each interpreted frame a panic leaves; those become the cell
// error's position and frames, everything else goes to stderr.
type panicTrace struct {
	mu          sync.Mutex
	frames      []tracePos
	buf         []byte
	skipWrapper bool
}

func (t *panicTrace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	for {
		i := strings.IndexByte(string(t.buf), '\n')
		if i < 0 {
			break
		}
		line := string(t.buf[:i])
		t.buf = t.buf[i+1:]
		if m := panicLineRE.FindStringSubmatch(line); m != nil {
			l, _ := strconv.Atoi(m[1])
			c, _ := strconv.Atoi(m[2])
			// positions are one line below the cell's (see padded)
			fn := strings.TrimPrefix(m[3], "main.")
			if t.skipWrapper {
				// the method that called a body function (methods.go)
				t.skipWrapper = false
				continue
			}
			if method := methodOfImpl(fn); method != "" {
				fn, t.skipWrapper = method, true
			}
			t.frames = append(t.frames, tracePos{line: l - 1, col: c, fn: fn})
			continue
		}
		writeStderr(line + "\n")
	}
	return len(p), nil
}

func (t *panicTrace) start() {
	t.mu.Lock()
	t.frames, t.skipWrapper = nil, false
	t.mu.Unlock()
}

func (t *panicTrace) stop() []tracePos {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.frames
	t.frames = nil
	return f
}
