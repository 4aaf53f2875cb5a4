package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/symbols"
)

// declPrefix and stmtPrefix wrap a chunk so go/parser accepts it alone;
// offsets in the parsed file minus the prefix length are chunk offsets.
const (
	declPrefix = "package main;"
	stmtPrefix = "package main;func _(){"
)

// evalDecls evaluates a chunk of imports and declarations.
func (s *Session) evalDecls(ctx context.Context, cell string, ch chunk) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", declPrefix+ch.text, parser.ParseComments)
	if err != nil {
		return syntaxError(cell, ch, len(declPrefix), err)
	}
	ed := newEditor(ch.text, len(declPrefix), fset)
	if err := s.prepareImports(ctx, f, ed); err != nil {
		return err
	}
	s.rewriteFuncs(f, ed, chunkPos(cell, ch))
	src := ed.apply()
	if strings.TrimSpace(src) == "" {
		return nil
	}
	if s.redefinesType(f, ch) {
		// yaegi ignores a redefined type: start a fresh interpreter with
		// the new definitions, then run the chunk there.
		for _, d := range f.Decls {
			for _, ds := range describeDecl(d, ch.text, len(declPrefix)) {
				s.decls.record(ds)
			}
		}
		if err := s.rebuild(ctx); err != nil {
			return err
		}
	}
	if _, err := s.eval(ctx, cell, ch, src); err != nil {
		return err
	}
	return s.afterDecls(ctx, cell, ch, f)
}

// evalStmts evaluates a chunk of statements. With wantResult, a final
// expression statement becomes the cell's result.
func (s *Session) evalStmts(ctx context.Context, cell string, ch chunk, wantResult bool) (*display.Bundle, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", stmtPrefix+ch.text+"\n}", parser.ParseComments)
	if err != nil {
		return nil, syntaxError(cell, ch, len(stmtPrefix), err)
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	ed := newEditor(ch.text, len(stmtPrefix), fset)
	s.rewriteFuncs(f, ed, chunkPos(cell, ch))

	var last *ast.ExprStmt
	if n := len(body.List); wantResult && n > 0 {
		last, _ = body.List[n-1].(*ast.ExprStmt)
		if u, ok := exprOf(last).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			last = nil // `<-done` waits; its value is not the point
		}
	}
	if last == nil {
		_, err := s.eval(ctx, cell, ch, ed.apply())
		return nil, err
	}
	// Run what comes before the last expression, then the expression
	// through _gosslShow, which asks inside the interpreter whether the
	// value renders itself. A call without results does not compile
	// there and runs as a plain statement instead.
	lastStart := ed.offset(last.Pos())
	if before := ed.applyRange(0, lastStart); strings.TrimSpace(before) != "" {
		if _, err := s.eval(ctx, cell, ch, before); err != nil {
			return nil, err
		}
	}
	exprCh := chunk{kind: stmtChunk, text: ch.text[lastStart:], start: ch.start + lastStart}
	// up to the expression's end: a trailing comment would swallow the
	// wrapper's closing comma
	expr := ed.applyRange(lastStart, ed.offset(last.End()))
	s.rt.take()
	for _, show := range []string{"_gosslrt.Show(", "_gosslShowN("} {
		if prog, err := s.compile(cell, exprCh, show+wrapMark+expr+",\n)"); err == nil {
			if _, err := s.run(ctx, cell, prog); err != nil {
				return nil, err
			}
			return s.resultBundle(s.rt.take(), last.X), nil
		}
	}
	// Not a value (a call without results): run it as a statement.
	_, err = s.eval(ctx, cell, exprCh, expr)
	return nil, err
}

// padded places src at the chunk's line and column so that the positions
// yaegi reports are the cell's, plus one line: that extra line is the
// room for a wrapper's head (see evalStmts).
func padded(cell string, ch chunk, src string) string {
	line, col := lineCol(cell, ch.start)
	head, rest, ok := strings.Cut(src, wrapMark)
	if !ok {
		head, rest = "", src
	}
	return strings.Repeat("\n", line-1) + head + "\n" + strings.Repeat(" ", col-1) + rest
}

// wrapMark separates a wrapper's head from the wrapped chunk text.
const wrapMark = "\x00"

// compile checks src and prepares it to run; yaegi's own compiler panics
// become errors.
func (s *Session) compile(cell string, ch chunk, src string) (prog *yaegi.Program, err error) {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, &CellError{Name: "CompileError", Msg: "the interpreter could not compile this cell: " + fmt.Sprint(r)}
		}
	}()
	prog, err = ip.Compile(padded(cell, ch, src))
	if err != nil {
		if ch.kind == stmtChunk && strings.Contains(err.Error(), "constant definition loop") {
			// yaegi's word for an undefined name in a top-level :=; the
			// same statements inside a function get the real message.
			if _, ferr := ip.Compile(padded(cell, ch, "func _gosslCheck() {"+wrapMark+src+"\n}")); ferr != nil {
				err = ferr
			}
		}
		return nil, compileError(cell, err)
	}
	return prog, nil
}

// eval compiles and runs src (a chunk, possibly rewritten).
func (s *Session) eval(ctx context.Context, cell string, ch chunk, src string) (reflect.Value, error) {
	prog, err := s.compile(cell, ch, src)
	if err != nil {
		return reflect.Value{}, err
	}
	return s.run(ctx, cell, prog)
}

// run executes a compiled chunk and turns whatever goes wrong into a
// *CellError positioned in the cell.
func (s *Session) run(ctx context.Context, cell string, prog *yaegi.Program) (reflect.Value, error) {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.cellStop.Store(&cellStopper{cancel: cancel})
	defer s.cellStop.Store(nil)
	s.trace.start()

	type result struct {
		v   reflect.Value
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: yaegi.Panic{Value: r}}
			}
		}()
		v, err := ip.ExecuteWithContext(ctx, prog)
		done <- result{v, err}
	}()
	r := <-done
	frames := s.trace.stop()
	if r.err == nil {
		return r.v, nil
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return reflect.Value{}, cause // a goroutine of this cell panicked
	}
	return reflect.Value{}, s.cellError(cell, r.err, frames)
}

// cellError turns an error from yaegi into a CellError.
func (s *Session) cellError(cell string, err error, frames []tracePos) *CellError {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &CellError{Name: "Interrupted", Msg: "the cell was interrupted"}
	}
	var p yaegi.Panic
	if errors.As(err, &p) {
		if exit, ok := p.Value.(symbols.Exit); ok {
			e := &CellError{Name: "Exit", Msg: exit.Error()}
			if len(frames) > 0 {
				e.at(cell, frames[0].line, frames[0].col)
			}
			return e
		}
		if len(frames) == 0 {
			// No interpreted frame unwound: yaegi's compiler itself
			// panicked on this code.
			return &CellError{Name: "CompileError", Msg: "the interpreter could not compile this cell: " + fmt.Sprint(p.Value)}
		}
		e := &CellError{Name: "panic", Msg: yaegiMessages.Replace(panicMessage(p.Value))}
		e.at(cell, frames[0].line, frames[0].col)
		for _, f := range frames[1:] {
			e.Frames = append(e.Frames, fmt.Sprintf("called from %s at line %d, column %d", f.fn, f.line, f.col))
		}
		return e
	}
	return compileError(cell, err)
}

// panicMessage formats a panic value as Go's runtime does.
func panicMessage(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	case string:
		return v
	}
	return fmt.Sprintf("%v", v)
}

// syntaxError maps a go/parser error of a chunk to the cell.
func syntaxError(cell string, ch chunk, prefix int, err error) error {
	var list scanner.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return &CellError{Name: "SyntaxError", Msg: err.Error()}
	}
	first := list[0]
	off := ch.start + offsetInText(ch.text, prefix, first.Pos) - 0
	if off > len(cell) {
		off = len(cell)
	}
	line, col := lineCol(cell, max(off, 0))
	e := &CellError{Name: "SyntaxError", Msg: first.Msg}
	e.at(cell, line, col)
	return e
}

// offsetInText converts a position in prefix+text to an offset in text.
func offsetInText(text string, prefix int, pos token.Position) int {
	off := pos.Offset - prefix
	if off < 0 {
		return 0
	}
	return min(off, len(text))
}

// compileError maps yaegi's "line:col: message" errors to the cell.
func compileError(cell string, err error) *CellError {
	msg := err.Error()
	line, col, rest, ok := splitPosition(msg)
	e := &CellError{Name: "CompileError", Msg: msg}
	if ok {
		e.Msg = rest
		e.at(cell, line-1, col)
	}
	return e
}

func exprOf(s *ast.ExprStmt) ast.Expr {
	if s == nil {
		return nil
	}
	return s.X
}

// yaegiMessages translates yaegi's wording of runtime errors to Go's.
var yaegiMessages = strings.NewReplacer(
	"reflect: slice index out of range", "runtime error: index out of range",
	"reflect: array index out of range", "runtime error: index out of range",
	"reflect: string index out of range", "runtime error: index out of range",
)

// chunkPos maps offsets in a chunk to the cell's lines and columns.
func chunkPos(cell string, ch chunk) func(off int) (int, int) {
	return func(off int) (int, int) { return lineCol(cell, min(ch.start+off, len(cell))) }
}

// parseChunk reports the syntax error of a chunk, if any.
func parseChunk(ch chunk) error {
	src := declPrefix + ch.text
	if ch.kind == stmtChunk {
		src = stmtPrefix + ch.text + "\n}"
	}
	_, err := parser.ParseFile(token.NewFileSet(), "cell", src, 0)
	return err
}
