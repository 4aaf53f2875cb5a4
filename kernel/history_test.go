package kernel

import (
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The history is kept in a file that leaves nothing in its folder, not in
// memory, and answers as before.
func TestHistoryOnDisk(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(HistoryDirEnv, dir)
	h := newHistory()
	if h.file == nil {
		t.Fatal("the history is not on disk")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the history file stays in its folder: %v", left)
	}
	input := "s := \"a\\nb\" // ünïcode\n\tfmt.Println(s)"
	for i := 1; i <= 1000; i++ {
		h.add(i, input, "out")
	}
	if len(h.mem) != 0 {
		t.Errorf("%d entries in memory", len(h.mem))
	}
	got := h.query(historyRequest{HistAccessType: "tail", N: 3, Output: true})
	if len(got) != 3 || got[2].([]any)[1] != 1000 {
		t.Fatalf("tail: %v", got)
	}
	if pair := got[0].([]any)[2].([]any); pair[0] != input || pair[1] != "out" {
		t.Fatalf("entry read back: %q", pair)
	}
	if got := h.query(historyRequest{HistAccessType: "range", Start: 10, Stop: 20}); len(got) != 10 {
		t.Fatalf("range: %d entries", len(got))
	}
	if got := h.query(historyRequest{HistAccessType: "search", Pattern: "*ünï*", Unique: true}); len(got) != 1 || got[0].([]any)[1] != 1000 {
		t.Fatalf("unique search: %v", got)
	}
}

// Without a usable folder, or after a failed write, the history goes on in
// memory, keeps what it had and says so in the log.
func TestHistoryFallsBackToMemory(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o600)
	t.Setenv(HistoryDirEnv, notDir)
	h := newHistory()
	if h.file != nil {
		t.Fatal("a history file under a regular file")
	}
	h.add(1, "a := 1", "")
	if got := h.query(historyRequest{HistAccessType: "tail", N: 10}); len(got) != 1 {
		t.Fatalf("in memory: %v", got)
	}

	t.Setenv(HistoryDirEnv, t.TempDir())
	h = newHistory()
	var logged bytes.Buffer
	h.log = log.New(&logged, "", 0)
	h.add(1, "a := 1", "")
	h.add(2, "a + 1", "2")
	// a file that can be read but no longer written
	written := h.file
	defer written.Close()
	h.file = readOnlyCopy(t, written, h.size)
	h.add(3, "a + 2", "3")
	if h.file != nil || !strings.Contains(logged.String(), "keeping the history in memory") {
		t.Fatalf("a failed write: file %v, log %q", h.file, logged.String())
	}
	got := h.query(historyRequest{HistAccessType: "range", Output: true})
	if len(got) != 3 || got[1].([]any)[2].([]any)[1] != "2" || got[2].([]any)[1] != 3 {
		t.Fatalf("after a failed write: %v", got)
	}
}

// readOnlyCopy is a read-only file holding the first size bytes of f.
func readOnlyCopy(t *testing.T, f *os.File, size int64) *os.File {
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}
