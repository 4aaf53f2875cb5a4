package kernel

import (
	"regexp"
	"strings"
	"sync"
)

// history keeps the cells run with store_history, for history_request.
// Lines are numbered from 1 within the kernel's session (session 1); the
// protocol's session 0 or a negative one also means "this session".
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

type historyEntry struct {
	line   int
	input  string
	output string // text/plain of the execute_result, if any
}

const historySession = 1

func newHistory() *history { return &history{} }

func (h *history) add(line int, input, output string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, historyEntry{line, input, output})
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
	defer h.mu.Unlock()
	var picked []historyEntry
	switch r.HistAccessType {
	case "tail":
		picked = lastN(h.entries, r.N)
	case "range":
		if r.Session > 0 && r.Session != historySession {
			break // earlier sessions are not kept
		}
		for _, e := range h.entries {
			if e.line >= r.Start && (r.Stop <= 0 || e.line < r.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		match := globMatcher(r.Pattern)
		seen := map[string]bool{}
		// Walk newest first so unique keeps the latest run of each input.
		for i := len(h.entries) - 1; i >= 0; i-- {
			e := h.entries[i]
			if !match(e.input) {
				continue
			}
			if r.Unique && seen[e.input] {
				continue
			}
			seen[e.input] = true
			picked = append([]historyEntry{e}, picked...)
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
