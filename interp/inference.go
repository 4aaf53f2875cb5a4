package interp

import (
	"regexp"
	"strings"
)

// Type-argument inference. yaegi v0.16.1 infers a generic function's type
// arguments by walking its parameters in order and handing the types it
// meets to the type parameters in that order, skipping variadic ones. So
// `func Map[T, U any](s []T, f func(T) U)` called with a func(int) string
// gets U = int (T's second appearance), and `func Largest[T
// cmp.Ordered](xs ...T)` gets no T at all. Until the rewriter infers them
// itself, the errors say what happened and how to write the call.

var (
	undefinedTypeParamRE = regexp.MustCompile(`^undefined type for (\w+)$`)
	funcMismatchRE       = regexp.MustCompile(`^cannot use type (func\(.*) as type (func\(.*)$`)
	untypedConstraintRE  = regexp.MustCompile(`^untyped (\w+) does not implement (\S+)$`)
)

// defaultTypes are the default types of untyped constants, by yaegi's word.
var defaultTypes = map[string]string{"int": "int", "float": "float64", "rune": "rune", "string": "string", "complex": "complex128", "bool": "bool"}

// explainInference rewords yaegi's inference failures. cell is the
// cell's code: yaegi places "undefined type for T" at the declaration,
// which may lie in an earlier cell, and then the error has no position.
func explainInference(cell string, e *CellError) {
	if m := untypedConstraintRE.FindStringSubmatch(e.Msg); m != nil && defaultTypes[m[1]] != "" {
		e.Msg += " (the interpreter (yaegi) does not give an untyped constant its default type when it infers " +
			"a type argument: write the type, as in " + defaultTypes[m[1]] + "(2.5), or the type arguments, as in Max[" +
			defaultTypes[m[1]] + "](...))"
		return
	}
	if m := undefinedTypeParamRE.FindStringSubmatch(e.Msg); m != nil {
		if identAt(cell, e.Line, e.Col) != m[1] {
			e.Line, e.Col, e.Source = 0, 0, ""
		}
		e.Msg = "cannot infer type parameter " + m[1] + ": the interpreter (yaegi) infers type arguments " +
			"only from parameters it meets in order, never from a variadic ..." + m[1] +
			"; write the type arguments out, as in Largest[int](3, 9, 4)"
		return
	}
	if funcMismatchRE.MatchString(e.Msg) && !strings.Contains(e.Msg, "type arguments") {
		e.Msg += " (when this calls a generic function, the interpreter (yaegi) may have inferred its type " +
			"arguments wrongly: it hands the types it meets in the parameters to the type parameters in order; " +
			"write them out, as in Map[int, string](xs, f))"
	}
}
