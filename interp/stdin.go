package interp

import (
	"io"
	"os"
	"sync"
)

// stdinReader is os.Stdin and fmt.Scan's input as cells see them: each read
// that finds no buffered input asks the frontend for one line. An empty
// answer ends the input (io.EOF) for the rest of the cell, since a
// notebook has no Ctrl-D.
type stdinReader struct {
	s   *Session
	mu  sync.Mutex
	buf []byte
	eof bool
}

func (r *stdinReader) startCell() {
	r.mu.Lock()
	r.buf, r.eof = nil, false
	r.mu.Unlock()
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		out := r.s.currentOutput()
		if out == nil {
			return 0, io.EOF
		}
		// Show the prompt the cell printed before asking.
		drainCapture()
		line, err := out.Input("", false)
		if err != nil {
			r.eof = true
			return 0, io.EOF
		}
		if line == "" {
			r.eof = true
			return 0, io.EOF
		}
		r.buf = append(r.buf, line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// writeStderr writes to fd 2, which is the running cell's stderr stream
// while a cell runs.
func writeStderr(s string) { os.Stderr.WriteString(s) }
