package interp

import (
	"go/ast"
	"reflect"
)

// rewriteScope is all that the rewriter (rewriteFuncs and the files it
// names) asks of the session: the rewrites read the chunk's syntax and,
// where the syntax does not tell, ask these questions. Each answer is for
// the scope as it is before the chunk runs. Session implements it; the
// table tests of the rewrites (rewrite_test.go) answer from a fake, with
// no interpreter.
type rewriteScope interface {
	// sessionImport is the import path a package name stands for, if a
	// cell imported it.
	sessionImport(name string) (path string, ok bool)
	// resultCount is how many results a function a cell declared has,
	// or -1 (not declared, or a type).
	resultCount(name string) int
	// resultType is the first result type, as written, of a function a
	// cell declared, or nil.
	resultType(name string) ast.Expr
	// genericSource is the source of a generic function a cell declared.
	genericSource(name string) (src string, ok bool)
	// isCellType reports whether a cell declared name as a type that is
	// not generic.
	isCellType(name string) bool
	// declaresNamedBasics reports whether a cell declared a type whose
	// values yaegi gives the reflect type of another (type Celsius
	// float64): see inference.go.
	declaresNamedBasics() bool
	// globalType is the type of a variable of the session, or nil.
	globalType(name string) reflect.Type
	// chainType is the type of an expression reached from a variable of
	// the session or of a compiled package, or nil (pkgindex.go).
	chainType(e ast.Expr) reflect.Type
	// typeSource writes a compiled type as source in the cell's scope
	// (pkgindex.go).
	typeSource(t reflect.Type) (string, bool)
	// compiledFunc is the type of function name of the compiled package
	// path, or nil.
	compiledFunc(path, name string) reflect.Type
	// cellNumber is the number of the cell being run.
	cellNumber() int64
	// freshImpl names a new body function for a method's slot
	// (methods.go).
	freshImpl(slot string) string
}

var _ rewriteScope = (*Session)(nil)

func (s *Session) resultCount(name string) int { return s.decls.resultCount(name) }

func (s *Session) resultType(name string) ast.Expr {
	s.decls.mu.Lock()
	defer s.decls.mu.Unlock()
	if d, ok := s.decls.decls[name]; ok {
		return d.results
	}
	return nil
}

func (s *Session) genericSource(name string) (string, bool) {
	s.decls.mu.Lock()
	defer s.decls.mu.Unlock()
	d, ok := s.decls.decls[name]
	if !ok || !d.generic {
		return "", false
	}
	return d.src, true
}

func (s *Session) globalType(name string) reflect.Type {
	if v, ok := s.globalValue(name); ok {
		return v.Type()
	}
	return nil
}

func (s *Session) compiledFunc(path, name string) reflect.Type {
	v, ok := symbolsFor(path)[name]
	if path == "" || !ok || v.Kind() != reflect.Func {
		return nil
	}
	return v.Type()
}

func (s *Session) cellNumber() int64 { return s.cell.Load() }

func (s *Session) freshImpl(slot string) string { return s.decls.freshImpl(slot) }
