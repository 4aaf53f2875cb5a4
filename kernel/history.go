package kernel

import (
	"bufio"
	"encoding/json"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

// history keeps the cells run with store_history, for history_request.
// Lines are numbered from 1 within the kernel's session (session 1); the
// protocol's session 0 or a negative one also means "this session".
//
// The cells go to a file, as IPython's kernel keeps them in an sqlite file,
// so that a long session's history costs no memory: one JSON object a line,
// appended after each cell and read back for each history_request. The
// file lives in GOSSL_HISTORY_DIR, else in the user's cache folder
// (~/.cache/gossl on Linux), else in the temporary folder; it is removed
// from its folder as soon as it is open, so it lasts as long as the kernel
// and no longer (the history is session-scoped, as it always was) and a
// killed kernel leaves nothing behind. When the file cannot be made or a
// write fails, the history goes on in memory and the log says why.
type history struct {
	mu   sync.Mutex
	file *os.File // nil: in memory
	size int64    // bytes of whole records in file
	mem  []historyEntry
	log  *log.Logger
}

type historyEntry struct {
	line   int
	input  string
	output string // text/plain of the execute_result, if any
}

// historyRecord is one line of the file.
type historyRecord struct {
	Line   int    `json:"line"`
	Input  string `json:"input"`
	Output string `json:"output,omitempty"`
}

const historySession = 1

// HistoryDirEnv names the folder for the history file (see history).
const HistoryDirEnv = "GOSSL_HISTORY_DIR"

func newHistory() *history {
	h := &history{log: log.New(os.Stderr, "gossl: ", log.LstdFlags)}
	dir := historyDir()
	f, err := openHistoryFile(dir)
	if err != nil {
		h.log.Printf("history: %v; keeping the history in memory", err)
		return h
	}
	h.file = f
	runtime.AddCleanup(h, func(f *os.File) { f.Close() }, f)
	return h
}

// historyDir is where the history file goes.
func historyDir() string {
	if d := os.Getenv(HistoryDirEnv); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gossl")
	}
	return os.TempDir()
}

// openHistoryFile makes a file in dir for this kernel's history and
// unlinks it (the open file stays readable and writable).
func openHistoryFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "history-*.jsonl")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		// a system that cannot remove an open file: a stray file at
		// worst, named for what it is
		log.Printf("gossl: history: %v (the file stays after the kernel)", err)
	}
	return f, nil
}

func (h *history) add(line int, input, output string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := historyEntry{line, input, output}
	if h.file != nil {
		b, err := json.Marshal(historyRecord{line, input, output})
		if err == nil {
			b = append(b, '\n')
			var n int
			n, err = h.file.WriteAt(b, h.size)
			if err == nil && n == len(b) {
				h.size += int64(n)
				return
			}
		}
		// keep what the file holds, and go on in memory
		h.log.Printf("history: writing %s: %v; keeping the history in memory", h.file.Name(), err)
		kept, rerr := h.readFile()
		if rerr != nil {
			h.log.Printf("history: reading %s back: %v; the cells before this one are lost from the history", h.file.Name(), rerr)
		}
		h.mem = append(kept, h.mem...)
		h.file.Close()
		h.file = nil
	}
	h.mem = append(h.mem, e)
}

// readFile reads the file's records. Called with h.mu held.
func (h *history) readFile() ([]historyEntry, error) {
	if h.file == nil || h.size == 0 {
		return nil, nil
	}
	var out []historyEntry
	sc := bufio.NewScanner(io.NewSectionReader(h.file, 0, h.size))
	sc.Buffer(make([]byte, 0, 64<<10), int(min(h.size+1, 1<<31-1)))
	for sc.Scan() {
		var r historyRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return out, err
		}
		out = append(out, historyEntry{r.Line, r.Input, r.Output})
	}
	return out, sc.Err()
}

// all is every entry, oldest first. Called with h.mu held.
func (h *history) all() []historyEntry {
	entries, err := h.readFile()
	if err != nil {
		h.log.Printf("history: reading %s: %v", h.file.Name(), err)
	}
	return append(entries, h.mem...)
}

type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// query answers a history_request: a list of [session, line, input] or,
// with output, [session, line, [input, output]].
func (h *history) query(r historyRequest) []any {
	h.mu.Lock()
	entries := h.all()
	h.mu.Unlock()
	var picked []historyEntry
	switch r.HistAccessType {
	case "tail":
		picked = lastN(entries, r.N)
	case "range":
		if r.Session > 0 && r.Session != historySession {
			break // earlier sessions are not kept
		}
		for _, e := range entries {
			if e.line >= r.Start && (r.Stop <= 0 || e.line < r.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		match := globMatcher(r.Pattern)
		seen := map[string]bool{}
		// Walk newest first so unique keeps the latest run of each input.
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			if !match(e.input) {
				continue
			}
			if r.Unique && seen[e.input] {
				continue
			}
			seen[e.input] = true
			picked = append(picked, e)
		}
		// oldest first, as the walk found them newest first
		for i, j := 0, len(picked)-1; i < j; i, j = i+1, j-1 {
			picked[i], picked[j] = picked[j], picked[i]
		}
		picked = lastN(picked, r.N)
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		if r.Output {
			out = append(out, []any{historySession, e.line, []any{e.input, e.output}})
		} else {
			out = append(out, []any{historySession, e.line, e.input})
		}
	}
	return out
}

func lastN(entries []historyEntry, n int) []historyEntry {
	if n > 0 && len(entries) > n {
		return entries[len(entries)-n:]
	}
	return entries
}

// globMatcher matches whole inputs against a glob as IPython's history
// search does (SQLite GLOB): * and ? also match newlines and slashes.
func globMatcher(glob string) func(string) bool {
	if glob == "" {
		glob = "*"
	}
	var re strings.Builder
	re.WriteString("(?s)^")
	for _, c := range glob {
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString
}
