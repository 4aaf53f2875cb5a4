package interp

import (
	"go/token"
	"sort"
	"strings"
)

// editor collects text edits of a chunk, made from its parsed AST, and
// applies them to the text: rewriting the text instead of printing a new
// AST keeps every untouched line and column where the user wrote it.
type editor struct {
	text   string
	prefix int // length of the wrapper the chunk was parsed with
	fset   *token.FileSet
	edits  []textEdit
}

type textEdit struct {
	off, end int // replaces text[off:end]; off == end inserts
	repl     string
	seq      int // keeps insertions at one offset in order
}

func newEditor(text string, prefix int, fset *token.FileSet) *editor {
	return &editor{text: text, prefix: prefix, fset: fset}
}

// offset converts a parsed position to an offset in the chunk text.
func (e *editor) offset(p token.Pos) int {
	return min(max(e.fset.Position(p).Offset-e.prefix, 0), len(e.text))
}

// src is the chunk text between two positions, without edits.
func (e *editor) src(from, to token.Pos) string {
	return e.text[e.offset(from):e.offset(to)]
}

func (e *editor) insert(p token.Pos, s string) {
	off := e.offset(p)
	e.edits = append(e.edits, textEdit{off: off, end: off, repl: s, seq: len(e.edits)})
}

// wrap puts head before and tail after the text from..to, outside any
// other insertion at those offsets, so that it encloses the other edits.
func (e *editor) wrap(from, to token.Pos, head, tail string) {
	const outer = 1 << 30
	off, end := e.offset(from), e.offset(to)
	e.edits = append(e.edits,
		textEdit{off: off, end: off, repl: head, seq: -outer + len(e.edits)},
		textEdit{off: end, end: end, repl: tail, seq: outer + len(e.edits)})
}

func (e *editor) replace(from, to token.Pos, s string) {
	e.edits = append(e.edits, textEdit{off: e.offset(from), end: e.offset(to), repl: s, seq: len(e.edits)})
}

// blank replaces text with spaces, keeping line breaks, so that what
// follows keeps its position.
func (e *editor) blank(from, to token.Pos) {
	old := e.src(from, to)
	var b strings.Builder
	for _, r := range old {
		if r == '\n' {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	e.replace(from, to, b.String())
}

func (e *editor) apply() string { return e.applyRange(0, len(e.text)) }

// applyRange returns text[from:to] with the edits that lie inside it.
func (e *editor) applyRange(from, to int) string {
	edits := append([]textEdit(nil), e.edits...)
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].off != edits[j].off {
			return edits[i].off < edits[j].off
		}
		return edits[i].seq < edits[j].seq
	})
	var b strings.Builder
	pos := from
	for _, ed := range edits {
		if ed.off < pos || ed.end > to || ed.off > to {
			continue // outside the range, or overlapping an earlier edit
		}
		if ed.off == to && ed.end == to && to != len(e.text) {
			continue
		}
		b.WriteString(e.text[pos:ed.off])
		b.WriteString(ed.repl)
		pos = ed.end
	}
	b.WriteString(e.text[pos:to])
	return b.String()
}
