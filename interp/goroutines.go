package interp

import (
	"fmt"
	"sync"
)

// lateGoPanics are panics of goroutines whose cell had already ended.
type lateGoPanics struct {
	mu   sync.Mutex
	msgs []string
}

// goroutinePanic is called (through the prelude's _gosslRecover) by an
// interpreted goroutine that panicked. While the cell that runs it is still
// running, the cell stops with the panic as its error; afterwards the panic
// is reported on the stderr of the next cell.
//
// line and col are those of the go statement that started the goroutine.
func (s *Session) goroutinePanic(v any, line, col int) {
	e := &CellError{Name: "panic", Msg: "in goroutine: " + yaegiMessages.Replace(panicMessage(v))}
	if p := s.code.Load(); p != nil {
		e.at(*p, line, col)
	} else {
		e.Line, e.Col = line, col
	}
	if st := s.cellStop.Load(); st != nil {
		st.cancel(e)
		return
	}
	s.late.mu.Lock()
	s.late.msgs = append(s.late.msgs, fmt.Sprintf("a goroutine started by an earlier cell panicked: %s\n", e.Error()))
	s.late.mu.Unlock()
}

func (s *Session) reportLateGoroutinePanics(out Output) {
	s.late.mu.Lock()
	msgs := s.late.msgs
	s.late.msgs = nil
	s.late.mu.Unlock()
	for _, m := range msgs {
		out.Stream("stderr", m)
	}
}
