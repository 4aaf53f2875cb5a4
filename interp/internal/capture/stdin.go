package capture

import (
	"io"
	"sync"
)

// Frontend answers a read of stdin with one line the user typed (the
// kernel's input_request); it fails when it cannot ask.
type Frontend interface {
	Input(prompt string, password bool) (string, error)
}

// Stdin is os.Stdin and fmt.Scan's input as cells see them: each read
// that finds no buffered input asks the frontend for one line. An empty
// answer ends the input (io.EOF) for the rest of the cell, since a
// notebook has no Ctrl-D. When the frontend cannot answer (allow_stdin is
// false, or the cell was interrupted) the read fails with the frontend's
// reason, and so does every later read of the cell: a silent io.EOF would
// look like an empty input.
type Stdin struct {
	frontend func() Frontend // the running cell's, nil between cells
	mu       sync.Mutex
	buf      []byte
	err      error // io.EOF or why the frontend cannot answer; sticky per cell
}

// NewStdin returns a Stdin that asks frontend() for lines; frontend
// returns nil when no cell runs, and reads then see io.EOF.
func NewStdin(frontend func() Frontend) *Stdin {
	return &Stdin{frontend: frontend}
}

// StartCell forgets the previous cell's unread input and end of input.
func (r *Stdin) StartCell() {
	r.mu.Lock()
	r.buf, r.err = nil, nil
	r.mu.Unlock()
}

func (r *Stdin) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		out := r.frontend()
		if out == nil {
			return 0, io.EOF
		}
		// Show the prompt the cell printed before asking.
		Drain()
		line, err := out.Input(Prompt, false)
		if err != nil {
			r.err = &stdinError{err}
			return 0, r.err
		}
		if line == "" {
			r.err = io.EOF
			return 0, io.EOF
		}
		r.buf = append(r.buf, line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// Prompt labels the input box: a Go read names no prompt, and an empty
// box gives no hint of what is asked or how input ends.
const Prompt = "stdin (an empty line ends input): "

// stdinError is a read of stdin that the frontend could not answer. Its
// message names stdin so that a cell printing it tells what failed; the
// frontend's error stays reachable through errors.Is and errors.As.
type stdinError struct{ err error }

func (e *stdinError) Error() string { return "reading stdin: " + e.err.Error() }
func (e *stdinError) Unwrap() error { return e.err }
