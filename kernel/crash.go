package kernel

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// A Go fatal error (stack overflow in compiled code, out of memory, a
// concurrent map write) cannot be recovered: the process dies. So that the
// user learns why after Jupyter restarts the kernel, the runtime's crash
// report also goes to a crash file (debug.SetCrashOutput), and a marker
// file says a kernel is running. Both are keyed by the connection's key and
// ports, which a restart keeps. The next kernel reads them, tells the user
// on its first cell, and starts afresh.

// crashRecord is one kernel's crash file and running marker.
type crashRecord struct {
	crash, marker string
	file          *os.File
}

// crashDir is where crash files live: GOSSL_CRASH_DIR, else the user's
// cache directory.
func crashDir() string {
	if d := os.Getenv("GOSSL_CRASH_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gossl", "crashes")
	}
	return filepath.Join(os.TempDir(), "gossl-crashes")
}

// startCrashRecord reports what the previous kernel of this connection left
// (empty if it ended cleanly) and arms the record for this one.
func startCrashRecord(conn ConnectionInfo) (previous string, rec *crashRecord, err error) {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d|%d|%d|%d|%d", conn.Key, conn.IP,
		conn.ShellPort, conn.ControlPort, conn.StdinPort, conn.IOPubPort, conn.HBPort)))
	id := hex.EncodeToString(sum[:8])
	dir := crashDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	removeStaleRecords(dir, 7*24*time.Hour)
	rec = &crashRecord{crash: filepath.Join(dir, id+".crash"), marker: filepath.Join(dir, id+".running")}
	previous = previousDeath(rec)
	f, err := os.OpenFile(rec.crash, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return previous, nil, err
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		f.Close()
		return previous, nil, err
	}
	rec.file = f
	if err := os.WriteFile(rec.marker, []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return previous, rec, err
	}
	return previous, rec, nil
}

// previousDeath reads what the last kernel of this record left behind.
func previousDeath(rec *crashRecord) string {
	report, _ := os.ReadFile(rec.crash)
	_, running := os.Stat(rec.marker)
	switch {
	case len(report) > 0:
		return "the previous kernel died: " + summarizeCrash(string(report))
	case running == nil:
		return "the previous kernel ended without shutting down: it was killed (by SIGKILL — the system's out-of-memory killer, or a forced restart) before it could say why"
	}
	return ""
}

// summarizeCrash keeps the runtime's message and the first lines of the
// crashing goroutine.
func summarizeCrash(report string) string {
	lines := strings.Split(strings.TrimSpace(report), "\n")
	var keep []string
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "runtime:") {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 && len(lines) > 0 {
		keep = lines[:min(3, len(lines))]
	}
	return strings.Join(keep[:min(len(keep), 6)], "\n")
}

// end marks a clean exit: nothing to report next time.
func (r *crashRecord) end() {
	if r == nil {
		return
	}
	debug.SetCrashOutput(nil, debug.CrashOptions{})
	if r.file != nil {
		r.file.Close()
	}
	os.Remove(r.crash)
	os.Remove(r.marker)
}

// removeStaleRecords deletes records older than age: kernels killed
// without a restart (Jupyter's forced shutdown) leave theirs behind.
func removeStaleRecords(dir string, age time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age &&
			(strings.HasSuffix(e.Name(), ".crash") || strings.HasSuffix(e.Name(), ".running")) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
