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
	"regexp"
	"strconv"
	"strings"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp/internal/symbols"
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
	if s.varsReadGlobals(f.Decls, nil) {
		// see varsReadGlobals: as statements they run in a function literal
		_, err := s.evalStmts(ctx, cell, chunk{kind: stmtChunk, text: ch.text, start: ch.start}, false)
		return err
	}
	ed := newEditor(ch.text, len(declPrefix), fset)
	if err := s.prepareImports(ctx, f, ed); err != nil {
		return err
	}
	s.rewriteFuncs(f, ed, chunkPos(cell, ch))
	s.typeVarsOfCompiledIndex(f, ed)
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
	if err := s.afterDecls(ctx, cell, ch, f); err != nil {
		return err
	}
	if declaresMain(f) {
		// A pasted program runs, as with go run.
		_, err := s.eval(ctx, cell, chunk{kind: stmtChunk, start: ch.start, text: userMain + "()"}, userMain+"()")
		return err
	}
	return nil
}

func declaresMain(f *ast.File) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			return true
		}
	}
	return false
}

// evalStmts evaluates a chunk of statements. With wantResult, a final
// expression statement becomes the cell's result. The chunk is rewritten
// (rewrite.go, defers.go), planned (stmtplan.go) and run step by step.
func (s *Session) evalStmts(ctx context.Context, cell string, ch chunk, wantResult bool) (*display.Bundle, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", stmtPrefix+ch.text+"\n}", parser.ParseComments)
	if err != nil {
		return nil, syntaxError(cell, ch, len(stmtPrefix), err)
	}
	ed := newEditor(ch.text, len(stmtPrefix), fset)
	s.rewriteFuncs(f, ed, chunkPos(cell, ch))
	if s.rewriteTopDefers(f.Decls[0].(*ast.FuncDecl).Body, ed) {
		s.cellDefers = true
	}
	return s.runStmts(ctx, cell, ch, ed, newStmtPlanner(s, f, ed, wantResult))
}

// runStmts runs the steps that p plans for chunk ch, whose text ed edits,
// and returns the shown result, if any.
func (s *Session) runStmts(ctx context.Context, cell string, ch chunk, ed *editor, p *stmtPlanner) (*display.Bundle, error) {
	for {
		st, ok := p.next()
		if !ok {
			return nil, nil
		}
		// positions in what runs are the chunk's from st.from on
		at := chunk{kind: stmtChunk, text: ch.text[st.from:], start: ch.start + st.from}
		switch st.kind {
		case stepRun:
			if _, err := s.eval(ctx, cell, at, ed.applyRange(st.from, st.to)); err != nil {
				return nil, err
			}
		case stepDefine:
			if err := s.defineFromGeneric(ctx, cell, ch, ed, st.stmt, st.lhs); err != nil {
				return nil, err
			}
		case stepShow:
			return s.show(ctx, cell, at, ed.applyRange(st.from, st.to), st)
		}
	}
}

// show runs expr, the cell's last expression, and makes its values the
// result: through _gosslrt.Show (runtime.go), which sees whether a value
// renders itself, or _gosslShowN for a call with several values.
func (s *Session) show(ctx context.Context, cell string, at chunk, expr string, st stmtStep) (*display.Bundle, error) {
	s.rt.take()
	switch n := st.values; {
	case n == 1:
		if _, err := s.eval(ctx, cell, at, "_gosslrt.Show("+wrapMark+expr+",\n)"); err != nil {
			return nil, err
		}
		return s.resultBundle(s.rt.take(), st.expr), nil
	case n > 1:
		if _, err := s.eval(ctx, cell, at, "_gosslShowN("+wrapMark+expr+",\n)"); err != nil {
			return nil, err
		}
		return s.resultBundle(s.rt.take(), st.expr), nil
	case n < 0:
		// Unknown (a method call): run it and show the value yaegi returns.
		v, err := s.eval(ctx, cell, at, expr)
		if err != nil || !v.IsValid() || !v.CanInterface() {
			return nil, err
		}
		return s.resultBundle(cellResult{set: true, values: []any{v.Interface()}}, st.expr), nil
	}
	// Not a value (a call without results): run it as a statement.
	_, err := s.eval(ctx, cell, at, expr)
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
	if ch.kind == stmtChunk {
		// yaegi reads code that starts with "func" as a declaration and,
		// when that fails, declares the statements as func main, which it
		// then runs again after every later program. A leading ";" keeps
		// statements statements.
		head = ";" + head
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
			ce := compilerPanic(cell, fmt.Sprint(r))
			settle(ip)
			if ce.Line == 0 {
				s.explainUndefined(cell, ch, ce)
			}
			placeUndefined(cell, ch, ce)
			prog, err = nil, ce
		}
	}()
	prog, err = ip.Compile(padded(cell, ch, src))
	if err != nil {
		return nil, s.compileFailure(ip, cell, ch, src, err)
	}
	return prog, nil
}

// compileFailure turns yaegi's compile error for src into the cell's.
func (s *Session) compileFailure(ip *yaegi.Interpreter, cell string, ch chunk, src string, err error) *CellError {
	settle(ip)
	if ch.kind == stmtChunk && strings.Contains(err.Error(), "constant definition loop") {
		// yaegi's word for an undefined name in a top-level :=; the
		// same statements inside a function get the real message.
		asDecl := chunk{kind: declChunk, text: ch.text, start: ch.start}
		var ce *CellError
		func() {
			defer func() {
				if r := recover(); r != nil {
					ce = compilerPanic(cell, fmt.Sprint(r))
				}
			}()
			if _, ferr := ip.Compile(padded(cell, asDecl, "func _gosslCheck() {"+wrapMark+src+"\n}")); ferr != nil {
				err = ferr
			}
		}()
		settle(ip)
		if ce != nil {
			placeUndefined(cell, ch, ce)
			return ce
		}
	}
	ce := compileError(cell, err)
	if ce.Msg == "constant definition loop" {
		s.explainUndefined(cell, ch, ce)
	}
	placeUndefined(cell, ch, ce)
	return ce
}

// eval compiles and runs src (a chunk, possibly rewritten).
func (s *Session) eval(ctx context.Context, cell string, ch chunk, src string) (reflect.Value, error) {
	prog, err := s.compile(cell, ch, src)
	if err != nil {
		return reflect.Value{}, err
	}
	v, err := s.run(ctx, cell, ch, prog)
	var ce *CellError
	if errors.As(err, &ce) && ce.Name == "CompileError" {
		// yaegi reports some compile errors only when the program runs
		placeUndefined(cell, ch, ce)
	}
	if errors.As(err, &ce) && ce.Name == "panic" && !strings.HasPrefix(ce.Msg, "in goroutine") {
		placePanic(cell, ch, ce)
	}
	return v, err
}

// run executes a compiled chunk and turns whatever goes wrong into a
// *CellError positioned in the cell.
func (s *Session) run(ctx context.Context, cell string, ch chunk, prog *yaegi.Program) (reflect.Value, error) {
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.cellStop.Store(&cellStopper{cancel: cancel})
	defer s.cellStop.Store(nil)
	s.trace.start()
	watch := watchMemory(50*time.Millisecond, func(e *MemoryError) {
		cancel(&CellError{Name: "MemoryError", Msg: e.Error()})
	})
	defer watch.stop()

	type result struct {
		v   reflect.Value
		err error
	}
	done := make(chan result, 1)
	go func() {
		finished := false
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: yaegi.Panic{Value: r}}
			} else if !finished {
				// runtime.Goexit: the depth guard stopped the cell
				done <- result{err: context.Cause(ctx)}
			}
		}()
		growFrame(ip) // framegrow.go
		v, err := ip.ExecuteWithContext(ctx, prog)
		finished = true
		done <- result{v, err}
	}()
	r := <-done
	frames := s.trace.stop()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		// a goroutine of this cell panicked, the depth guard or the
		// memory watcher stopped it
		return reflect.Value{}, cause
	}
	if r.err == nil {
		return r.v, nil
	}
	// The outermost frame is the chunk's; a wrapper's head (the cell's
	// last expression) sits on the line above it.
	if chLine, chCol := lineCol(cell, min(ch.start, len(cell))); len(frames) > 0 && frames[len(frames)-1].line == chLine-1 {
		frames[len(frames)-1].line, frames[len(frames)-1].col = chLine, chCol
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
		name, msg := panicKind(p.Value)
		if len(frames) == 0 && name == "panic" {
			// No interpreted frame unwound: yaegi's compiler itself
			// panicked on this code.
			return &CellError{Name: "CompileError", Msg: "the interpreter could not compile this cell: " + fmt.Sprint(p.Value)}
		}
		e := &CellError{Name: name, Msg: msg}
		if len(frames) == 0 {
			return e
		}
		if line, col, rest, ok := splitPosition(msg); ok {
			// yaegi's own checks (interface conversions) name the
			// expression's position: one line below the cell's (see padded)
			e.Msg = rest
			e.at(cell, line-1, col)
		} else if fn := frames[0].fn; fn != "" && fn != "main" && !declaresFunc(cell, fn) {
			// the positions are those of the earlier cell that declared fn
			e.Msg += fmt.Sprintf(" (in %s, declared in an earlier cell, at its line %d)", fn, frames[0].line)
		} else {
			e.at(cell, frames[0].line, frames[0].col)
		}
		e.Frames = callFrames(frames)
		return e
	}
	return compileError(cell, err)
}

// panicMessage formats a panic value as Go's runtime does.
func panicMessage(v any) string {
	switch v := interfaceValue(v).(type) {
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

var innerPosRE = regexp.MustCompile(`(\d+):(\d+): ([^:]*(?::[^\d][^:]*)*)$`)

// compilerPanic turns a panic of yaegi's compiler into an error at the
// innermost position its message names.
func compilerPanic(cell, msg string) *CellError {
	m := innerPosRE.FindStringSubmatch(msg)
	if m == nil {
		return &CellError{Name: "CompileError", Msg: "the interpreter could not compile this cell: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	text := m[3]
	if name, ok := strings.CutPrefix(text, "incomplete type "); ok {
		text = "undefined: " + name
	}
	e := &CellError{Name: "CompileError", Msg: text}
	e.at(cell, line-1, col)
	return e
}

// declaresFunc reports whether cell declares function or method fn.
func declaresFunc(cell, fn string) bool {
	name := fn[strings.LastIndexByte(fn, '.')+1:]
	re, err := regexp.Compile(`(?m)^\s*func\s*(\([^)]*\)\s*)?` + regexp.QuoteMeta(name) + `\s*[\[(]`)
	return err == nil && re.MatchString(cell)
}
