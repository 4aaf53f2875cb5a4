package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReplayGuardRemembersRecentSignatures(t *testing.T) {
	g := newReplayGuard(3)
	for _, sig := range []string{"a", "b", "c"} {
		if g.seen(sig) {
			t.Fatalf("%s reported as a replay the first time", sig)
		}
	}
	if !g.seen("b") {
		t.Error("a replay of b went through")
	}
	g.seen("d") // evicts a, the oldest
	if g.seen("a") {
		t.Error("a was not forgotten after the window moved on")
	}
	if first, second := g.seen(""), g.seen(""); first || second {
		t.Error("unsigned messages cannot be told apart and must not count as replays")
	}
}

// The guard's memory is made at start: a long session's stream of messages
// does not grow it (the soak of issue 15 counts every KiB).
func TestReplayGuardMemoryIsFixed(t *testing.T) {
	g := newReplayGuard(4096)
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for i := range 3 * 4096 {
		g.seen(fmt.Sprintf("%064x", i)) // hex HMAC-SHA256, as clients sign
	}
	if grew := int64(heap()) - int64(before); grew > 64<<10 {
		t.Errorf("12,288 signatures grew the heap by %d KiB, want the guard's tables fixed at start", grew>>10)
	}
	if !g.seen(fmt.Sprintf("%064x", 3*4096-1)) {
		t.Error("the latest signature is not remembered")
	}
	runtime.KeepAlive(g)
}

func TestConnectionFileChecks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, key string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		body := fmt.Sprintf(`{"ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"key":%q}`, key)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	t.Setenv(AllowUnsignedEnv, "")
	if _, err := ReadConnectionFile(write("empty.json", "", 0o600)); err == nil || !strings.Contains(err.Error(), "empty key") {
		t.Errorf("empty key: %v", err)
	}
	t.Setenv(AllowUnsignedEnv, "1")
	if _, err := ReadConnectionFile(write("empty2.json", "", 0o600)); err != nil {
		t.Errorf("empty key allowed by %s: %v", AllowUnsignedEnv, err)
	}
	ci, err := ReadConnectionFile(write("open.json", "k", 0o644))
	if err != nil || len(ci.Warnings) != 1 || !strings.Contains(ci.Warnings[0], "readable by other users") {
		t.Errorf("world-readable file: %v %q", err, ci.Warnings)
	}
	ci, err = ReadConnectionFile(write("private.json", "k", 0o600))
	if err != nil || len(ci.Warnings) != 0 {
		t.Errorf("private file: %v %q", err, ci.Warnings)
	}
}

func TestCrashRecordTellsTheNextKernel(t *testing.T) {
	t.Setenv("GOSSL_CRASH_DIR", t.TempDir())
	conn := ConnectionInfo{IP: "127.0.0.1", ShellPort: 1, Key: "k"}
	prev, rec, err := startCrashRecord(conn)
	if err != nil || prev != "" {
		t.Fatalf("first start: %q %v", prev, err)
	}
	// the runtime writes its report here on a fatal error; simulate one
	os.WriteFile(rec.crash, []byte("fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nmain.main()\n"), 0o600)
	prev, rec2, _ := startCrashRecord(conn)
	if !strings.Contains(prev, "fatal error: runtime: out of memory") {
		t.Errorf("after a fatal error: %q", prev)
	}
	rec2.end()
	prev, rec3, _ := startCrashRecord(conn)
	if prev != "" {
		t.Errorf("after a clean exit: %q", prev)
	}
	// no clean end and no report: killed by a signal
	prev, rec4, _ := startCrashRecord(conn)
	if !strings.Contains(prev, "killed") {
		t.Errorf("after a kill: %q", prev)
	}
	rec3.end()
	rec4.end()
	_ = rec
}
