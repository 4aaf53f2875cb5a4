package capture

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// flushEvery is how often captured output is forwarded while a cell runs:
// often enough to look live, rarely enough to batch a tight print loop.
const flushEvery = 30 * time.Millisecond

// drainMarker is written through a captured fd to learn that everything
// written before it has been read. It starts with NUL, which text output
// practically never contains.
var drainMarker = []byte("\x00gossl\x01drain\x00")

// Sink receives captured output: name is "stdout" or "stderr", text is
// whole UTF-8 sequences. Calls come one at a time, in the order written.
type Sink func(name, text string)

// fdCapture redirects one file descriptor (1 or 2) into a pipe and forwards
// what arrives to the current sink, or to a dup of the original fd.
type fdCapture struct {
	fd       int
	name     string
	orig     *os.File // dup of the fd before redirection
	read     *os.File
	write    *os.File // the pipe's write end, also installed as fd
	mu       sync.Mutex
	cond     *sync.Cond
	pending  []byte
	markers  int // drain markers seen
	sink     Sink
	closed   bool
	readDone chan struct{}
}

func startFDCapture(fd int, name string) (*fdCapture, error) {
	origFD, err := syscall.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("capture %s: dup: %w", name, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(origFD)
		return nil, fmt.Errorf("capture %s: pipe: %w", name, err)
	}
	if err := syscall.Dup2(int(w.Fd()), fd); err != nil {
		syscall.Close(origFD)
		r.Close()
		w.Close()
		return nil, fmt.Errorf("capture %s: dup2: %w", name, err)
	}
	c := &fdCapture{fd: fd, name: name, orig: os.NewFile(uintptr(origFD), name+"-orig"),
		read: r, write: w, readDone: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	go c.readLoop()
	go c.flushLoop()
	return c, nil
}

func (c *fdCapture) readLoop() {
	defer close(c.readDone)
	buf := make([]byte, 64<<10)
	for {
		n, err := c.read.Read(buf)
		if n > 0 {
			c.mu.Lock()
			c.pending = append(c.pending, buf[:n]...)
			for {
				i := bytes.Index(c.pending, drainMarker)
				if i < 0 {
					break
				}
				// what came before the marker goes out, but for the
				// start of a rune that the next write completes
				k := wholeRunes(c.pending[:i])
				c.emitLocked(c.pending[:k])
				rest := append([]byte(nil), c.pending[k:i]...)
				c.pending = append(rest, c.pending[i+len(drainMarker):]...)
				c.markers++
				c.cond.Broadcast()
			}
			c.mu.Unlock()
		}
		if err != nil {
			c.mu.Lock()
			c.emitLocked(c.pending)
			c.pending = nil
			c.closed = true
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
	}
}

func (c *fdCapture) flushLoop() {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for range t.C {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		n := safePrefix(c.pending)
		if n > 0 {
			c.emitLocked(c.pending[:n])
			c.pending = append(c.pending[:0], c.pending[n:]...)
		}
		c.mu.Unlock()
	}
}

// safePrefix is how much of p can be sent now: not a trailing part of a
// drain marker, nor half of a UTF-8 sequence.
func safePrefix(p []byte) int {
	n := len(p)
	from := max(0, n-len(drainMarker)+1)
	if i := bytes.IndexByte(p[from:], 0); i >= 0 && bytes.HasPrefix(drainMarker, p[from+i:]) {
		n = from + i
	}
	return wholeRunes(p[:n])
}

// wholeRunes is the length of p without an incomplete UTF-8 sequence at
// its end.
func wholeRunes(p []byte) int {
	n := len(p)
	for k := 1; k <= 3 && k <= n; k++ {
		b := p[n-k]
		if b < 0x80 {
			break
		}
		if utf8.RuneStart(b) {
			if !utf8.FullRune(p[n-k : n]) {
				n -= k
			}
			break
		}
	}
	return n
}

// emitLocked forwards p; the caller holds c.mu, which keeps order.
func (c *fdCapture) emitLocked(p []byte) {
	if len(p) == 0 {
		return
	}
	if c.sink != nil {
		c.sink(c.name, string(p))
		return
	}
	c.orig.Write(p)
}

// setSink sends later output to s (nil: the original fd).
func (c *fdCapture) setSink(s Sink) {
	c.mu.Lock()
	c.sink = s
	c.mu.Unlock()
}

// drain returns once everything written to the fd before the call has been
// forwarded, or after timeout (a cell may have replaced the fd).
func (c *fdCapture) drain(timeout time.Duration) {
	c.mu.Lock()
	want := c.markers + 1
	c.mu.Unlock()
	if _, err := syscall.Write(c.fd, drainMarker); err != nil {
		return
	}
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.markers < want && !c.closed && time.Now().Before(deadline) {
		c.cond.Wait()
	}
	c.emitLocked(c.pending[:safePrefix(c.pending)])
	c.pending = append(c.pending[:0], c.pending[safePrefix(c.pending):]...)
}

// stop puts the original fd back and forwards what is left.
func (c *fdCapture) stop() {
	c.drain(time.Second)
	syscall.Dup2(int(c.orig.Fd()), c.fd)
	c.write.Close()
	<-c.readDone
	c.read.Close()
	c.orig.Close()
}

// capture is the process-wide redirection of fds 1 and 2, shared by the
// sessions alive at the same time (the fds belong to the process).
var capture struct {
	mu    sync.Mutex
	users int
	out   *fdCapture
	err   *fdCapture
}

// Acquire redirects fds 1 and 2 into pipes, unless an earlier Acquire not
// yet released has done so. Between cells, what arrives goes on to the
// original fds.
func Acquire() error {
	capture.mu.Lock()
	defer capture.mu.Unlock()
	if capture.users == 0 {
		out, err := startFDCapture(1, "stdout")
		if err != nil {
			return err
		}
		errc, err := startFDCapture(2, "stderr")
		if err != nil {
			out.stop()
			return err
		}
		capture.out, capture.err = out, errc
	}
	capture.users++
	return nil
}

// Release undoes one Acquire; the last one puts the original fds back,
// after forwarding what is left.
func Release() {
	capture.mu.Lock()
	defer capture.mu.Unlock()
	capture.users--
	if capture.users == 0 {
		capture.out.stop()
		capture.err.stop()
		capture.out, capture.err = nil, nil
	}
}

// To sends captured output to sink until the returned function is called,
// which first drains what was written before it. Without a capture
// (nothing acquired) it does nothing.
func To(sink Sink) (done func()) {
	capture.mu.Lock()
	out, errc := capture.out, capture.err
	capture.mu.Unlock()
	if out == nil {
		return func() {}
	}
	out.setSink(sink)
	errc.setSink(sink)
	return func() {
		Drain()
		out.setSink(nil)
		errc.setSink(nil)
	}
}

// Drain returns once everything written to fds 1 and 2 before the call
// has been forwarded (or after two seconds, if code replaced the fds), so
// that what is sent next by another route comes after it.
func Drain() {
	capture.mu.Lock()
	out, errc := capture.out, capture.err
	capture.mu.Unlock()
	if out == nil {
		return
	}
	out.drain(2 * time.Second)
	errc.drain(2 * time.Second)
}
