package capture

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unicode/utf8"
)

// recorder is a Sink that keeps what it receives, per stream.
type recorder struct {
	mu    sync.Mutex
	texts map[string]*strings.Builder
	calls []string
}

func newRecorder() *recorder { return &recorder{texts: map[string]*strings.Builder{}} }

func (r *recorder) sink(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.texts[name] == nil {
		r.texts[name] = &strings.Builder{}
	}
	r.texts[name].WriteString(text)
	r.calls = append(r.calls, text)
}

func (r *recorder) text(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.texts[name]; b != nil {
		return b.String()
	}
	return ""
}

// fdIdentity names the file behind fd, to tell whether it was put back.
func fdIdentity(t *testing.T, fd int) [2]uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return [2]uint64{uint64(st.Dev), st.Ino}
}

func acquire(t *testing.T) {
	t.Helper()
	if err := Acquire(); err != nil {
		t.Fatal(err)
	}
}

func TestSafePrefix(t *testing.T) {
	euro := "€" // three bytes
	for _, c := range []struct {
		name string
		in   string
		want int
	}{
		{"plain text", "hello", 5},
		{"empty", "", 0},
		{"a whole rune", "a" + euro, 4},
		{"one byte of a rune", "a" + euro[:1], 1},
		{"two bytes of a rune", "a" + euro[:2], 1},
		{"the start of a drain marker", "ab" + string(drainMarker[:3]), 2},
		{"a NUL that starts no marker", "ab\x00zz", 5},
		{"ASCII after a rune", euro + "b", 4},
	} {
		if got := safePrefix([]byte(c.in)); got != c.want {
			t.Errorf("%s: safePrefix(%q) = %d, want %d", c.name, c.in, got, c.want)
		}
	}
}

// Everything written to fds 1 and 2 — through os.Stdout, the raw fd or a
// goroutine — reaches the sink, whole, once done is called; Release puts
// the original fds back.
func TestWritesReachTheSink(t *testing.T) {
	before1, before2 := fdIdentity(t, 1), fdIdentity(t, 2)
	acquire(t)
	if fdIdentity(t, 1) == before1 {
		t.Fatal("Acquire left fd 1 alone")
	}
	rec := newRecorder()
	done := To(rec.sink)
	fmt.Print("one ")
	syscall.Write(1, []byte("two "))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); os.Stdout.WriteString("three") }()
	wg.Wait()
	os.Stderr.WriteString("oops")
	done()
	if got := rec.text("stdout"); got != "one two three" {
		t.Errorf("stdout = %q, want %q", got, "one two three")
	}
	if got := rec.text("stderr"); got != "oops" {
		t.Errorf("stderr = %q, want %q", got, "oops")
	}
	Release()
	if fdIdentity(t, 1) != before1 || fdIdentity(t, 2) != before2 {
		t.Error("Release did not put fds 1 and 2 back")
	}
}

// Drain returns only once what was written before it has reached the
// sink; a rune split across writes arrives whole.
func TestDrainForwardsWhatIsPending(t *testing.T) {
	acquire(t)
	defer Release()
	rec := newRecorder()
	done := To(rec.sink)
	defer done()
	euro := []byte("€")
	syscall.Write(1, append([]byte("price "), euro[:1]...))
	Drain()
	syscall.Write(1, euro[1:])
	Drain()
	if got := rec.text("stdout"); got != "price €" {
		t.Errorf("stdout after Drain = %q, want %q", got, "price €")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, c := range rec.calls {
		if !utf8.ValidString(c) || strings.Contains(c, "\x00") {
			t.Errorf("the sink got %q: half a rune or a drain marker", c)
		}
	}
}

// Sessions share the redirection: it lasts until the last Release.
func TestAcquireIsCounted(t *testing.T) {
	before := fdIdentity(t, 1)
	acquire(t)
	acquire(t)
	Release()
	if fdIdentity(t, 1) == before {
		t.Fatal("one Release of two ended the capture")
	}
	rec := newRecorder()
	done := To(rec.sink)
	fmt.Print("still here")
	done()
	if got := rec.text("stdout"); got != "still here" {
		t.Errorf("stdout = %q", got)
	}
	Release()
	if fdIdentity(t, 1) != before {
		t.Error("the last Release did not put fd 1 back")
	}
}

// Without a capture, To and Drain do nothing and do not block.
func TestWithoutCapture(t *testing.T) {
	rec := newRecorder()
	done := To(rec.sink)
	Drain()
	done()
	if len(rec.calls) != 0 {
		t.Errorf("the sink got %q without a capture", rec.calls)
	}
}
