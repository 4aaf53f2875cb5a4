package kernel

import (
	"context"

	"github.com/gossl/gossl/display"
)

// Evaluator is the language behind the kernel: the kernel speaks the Jupyter
// protocol and hands cells to an Evaluator, knowing nothing of Go or yaegi.
// Methods are called from one goroutine at a time, except that Complete,
// Inspect and IsComplete may be called while Execute runs.
//
// Positions (cursor, start, end) are byte offsets into code; the kernel
// converts them to the protocol's Unicode code points.
type Evaluator interface {
	// Execute runs one cell. Output is sent through out while the cell runs.
	// The returned bundle, if not nil, becomes the cell's execute_result.
	// ctx is cancelled when the user interrupts the cell. A returned error
	// becomes an error reply; see ErrorDetails for richer errors.
	Execute(ctx context.Context, code string, out Output) (*display.Bundle, error)
	// Complete returns the completions of the token at cursor, which spans
	// code[start:end].
	Complete(code string, cursor int) (matches []string, start, end int)
	// Inspect returns help on the symbol at cursor (nil when there is none).
	// detail is 0 for a summary and 1 for more (the protocol's detail_level).
	Inspect(code string, cursor, detail int) (*display.Bundle, error)
	// IsComplete says whether code is "complete", "incomplete", "invalid" or
	// "unknown", and for incomplete code the indent of the next line.
	IsComplete(code string) (status, indent string)
	// LanguageInfo describes the language that Execute runs, for
	// kernel_info_reply. It is asked for before the first cell and must
	// answer at once.
	LanguageInfo() LanguageInfo
}

// LanguageInfo is the language_info of kernel_info_reply: what a frontend
// needs to highlight cells and export a notebook as a script.
type LanguageInfo struct {
	Name              string // "go"
	Version           string // the language's version, "1.26.1"
	MIMEType          string // of a script in the language, "text/x-go"
	FileExtension     string // of such a script, with its dot: ".go"
	PygmentsLexer     string // the lexer nbconvert highlights with
	CodeMirrorMode    string // the mode the notebook editor highlights with
	NbconvertExporter string // "script" for a plain source file
}

// wire is l as the protocol spells it. name, version, mimetype and
// file_extension are required and always sent; the rest only when set.
func (l LanguageInfo) wire() map[string]any {
	m := map[string]any{
		"name":           l.Name,
		"version":        l.Version,
		"mimetype":       l.MIMEType,
		"file_extension": l.FileExtension,
	}
	for k, v := range map[string]string{
		"pygments_lexer":     l.PygmentsLexer,
		"codemirror_mode":    l.CodeMirrorMode,
		"nbconvert_exporter": l.NbconvertExporter,
	} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Output is where a running cell's output goes. The kernel implements it for
// each execute_request; an Evaluator may declare the same method set in its
// own package instead of importing this one.
type Output interface {
	display.Publisher
	// Stream appends text to the cell's "stdout" or "stderr" stream.
	Stream(name, text string)
	// Input asks the user for one line (input_request on the stdin socket).
	// It fails when the frontend does not allow stdin.
	Input(prompt string, password bool) (string, error)
}

// ErrorDetails is what an error returned by Execute may implement to control
// the error reply: the exception name and the traceback lines (which may
// carry ANSI colours). Without it the kernel uses the error's Go type and
// message.
type ErrorDetails interface {
	error
	ErrorName() string
	Traceback() []string
}
