package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"runtime"
)

// Stale runs. yaegi v0.16.1 stops an interrupted program by bumping a run
// id that every frame compares before each step, but a cell's top-level
// statements run on the interpreter's one global frame, and the next
// Execute sets that frame's id to the current one again. A top-level loop
// that had not yet noticed the interrupt (it was inside a compiled call:
// time.Sleep, a large allocation, a GC pause) then carries on beside the
// next cell, printing into its output and allocating under its memory
// watch. So the rewriter starts the body of every top-level loop with a
// check of the cell's number against the running cell's, and a loop of an
// earlier cell ends its goroutine there.

// liveCheck is what the rewriter puts at the start of a top-level loop's
// body, with the number of the cell the loop belongs to; it stays on the
// line of the opening brace.
const liveCheck = "if *_gosslrt.Cell != %d { _gosslrt.Stale() };"

// endStaleRun ends the goroutine of a loop whose cell is no longer running.
// Only the interrupted program's own goroutine gets here: goroutines the
// cell started run in function frames, which keep their run id.
func endStaleRun() { runtime.Goexit() }

// checkLoop adds the live check to a loop of the chunk's own statements
// (not one inside a function, whose frame yaegi stops by itself): at the
// start of its body, and after each statement of the body that calls or
// waits on a channel, where a stale loop comes back from a blocking call.
func (rw *rewriter) checkLoop(body *ast.BlockStmt) {
	if body == nil || rw.ed.fset.Position(body.Lbrace).Offset < rw.ed.prefix || rw.inFunc(body.Pos()) {
		return
	}
	check := fmt.Sprintf(liveCheck, rw.s.cellNumber())
	rw.ed.insert(body.Lbrace+1, check)
	for _, st := range body.List {
		switch st.(type) {
		case *ast.ExprStmt, *ast.AssignStmt, *ast.SendStmt:
			if mayBlock(st) {
				rw.ed.insert(st.End(), ";"+check)
			}
		}
	}
}

// mayBlock reports whether st calls something or receives from a channel.
func mayBlock(st ast.Stmt) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr, *ast.SendStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.ARROW
		}
		return !found
	})
	return found
}

// inFunc reports whether pos lies in the body of a function declared or
// written (as a literal) in the chunk, as opposed to its top-level
// statements, which the wrapper the chunk was parsed with encloses.
func (rw *rewriter) inFunc(pos token.Pos) bool {
	if rw.funcs == nil {
		rw.funcs = [][2]token.Pos{}
		ast.Inspect(rw.file, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch n := n.(type) {
			case *ast.FuncDecl:
				body = n.Body
			case *ast.FuncLit:
				body = n.Body
			}
			if body != nil && rw.ed.fset.Position(body.Lbrace).Offset >= rw.ed.prefix {
				rw.funcs = append(rw.funcs, [2]token.Pos{body.Lbrace, body.Rbrace})
			}
			return true
		})
	}
	for _, r := range rw.funcs {
		if pos > r[0] && pos < r[1] {
			return true
		}
	}
	return false
}
