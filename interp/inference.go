package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"strings"
)

// Type-argument inference. yaegi v0.16.1 infers a generic function's type
// arguments by walking its parameters in order and handing the types it
// meets to the type parameters in that order, skipping variadic ones. So
// `func Map[T, U any](s []T, f func(T) U)` called with a func(int) string
// gets U = int (T's second appearance), and `func Largest[T
// cmp.Ordered](xs ...T)` gets no T at all. The rewriter writes the type
// arguments out where the arguments' types show in the cell
// (inferTypeArgs, below); where they do not, the errors say what happened
// and how to write the call.

var (
	undefinedTypeParamRE = regexp.MustCompile(`^undefined type for (\w+)$`)
	funcMismatchRE       = regexp.MustCompile(`^cannot use type (func\(.*) as type (func\(.*)$`)
	untypedConstraintRE  = regexp.MustCompile(`^untyped (\w+) does not implement (\S+)$`)
)

// inferenceHint says when the session writes type arguments out itself.
const inferenceHint = "; gossl writes them out itself when every argument's type shows in the cell " +
	"(a literal, a conversion, a variable defined with its type or value in the same chunk)"

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
			"; write the type arguments out, as in Largest[int](3, 9, 4)" + inferenceHint
		return
	}
	if funcMismatchRE.MatchString(e.Msg) && !strings.Contains(e.Msg, "type arguments") {
		e.Msg += " (when this calls a generic function, the interpreter (yaegi) may have inferred its type " +
			"arguments wrongly: it hands the types it meets in the parameters to the type parameters in order; " +
			"write them out, as in Map[int, string](xs, f)" + inferenceHint + ")"
	}
}

// inferTypeArgs writes out the type arguments of a call of a generic
// function that a cell declared, when the syntax of the arguments gives
// them all (yaegi's own inference fails on the cases above):
// Map([]int{1, 2}, func(i int) string {...}) becomes Map[int, string](...),
// Largest(3, 9, 4) becomes Largest[int](3, 9, 4). An argument's type is
// read from a typed literal (composite, func, conversion), from the
// chunk's definitions and parameters, from the session's variables of
// compiled types, and from the results of declared and compiled
// functions; untyped constants take their default type, the widest among
// those for one type parameter (Max2(2.5, 7, 1) is float64), and only
// where no typed argument gives it; a type parameter that its
// constraint fixes (~[]E) is read from the other's argument. When a type
// parameter is not found, or two arguments disagree, the call is left to
// yaegi (and its error to explainInference).
func (rw *rewriter) inferTypeArgs(call *ast.CallExpr) {
	id, ok := call.Fun.(*ast.Ident)
	if !ok || rw.inGeneric(call.Pos()) {
		return
	}
	fd := rw.genericDecl(id.Name)
	if fd == nil || fd.Recv != nil {
		return
	}
	var tparams []string
	constraints := map[string]ast.Expr{}
	for _, f := range fd.Type.TypeParams.List {
		for _, n := range f.Names {
			tparams = append(tparams, n.Name)
			constraints[n.Name] = f.Type
		}
	}
	u := &unifier{bound: map[string]string{}, untyped: map[string]string{}, params: map[string]bool{}}
	for _, p := range tparams {
		u.params[p] = true
	}
	var ptypes []ast.Expr
	for _, f := range fd.Type.Params.List {
		for range max(1, len(f.Names)) {
			ptypes = append(ptypes, f.Type)
		}
	}
	for i, a := range call.Args {
		if len(ptypes) == 0 {
			return
		}
		pt := ptypes[min(i, len(ptypes)-1)]
		if el, ok := pt.(*ast.Ellipsis); ok {
			pt = el.Elt
			if call.Ellipsis.IsValid() && i == len(call.Args)-1 {
				pt = &ast.ArrayType{Elt: el.Elt} // Largest(xs...)
			}
		} else if i >= len(ptypes) {
			return
		}
		at, kind := rw.argType(a, call.Pos(), 0)
		switch {
		case at != nil:
			if !u.unify(pt, at) {
				return
			}
		case kind != "":
			if p, ok := pt.(*ast.Ident); ok && u.params[p.Name] {
				u.untypedArg(p.Name, kind)
			} else if !u.mentions(pt) {
				continue // an untyped constant for a parameter of a fixed type
			} else {
				return
			}
		default:
			if u.mentions(pt) {
				return // a type this cannot read: leave the call to yaegi
			}
		}
	}
	for p, kind := range u.untyped {
		if _, ok := u.bound[p]; !ok {
			if kind == "mixed" {
				return
			}
			u.bound[p] = kind
		}
	}
	// core types: `S ~[]E` gives E from S
	for grew := true; grew; {
		grew = false
		for _, p := range tparams {
			b, ok := u.bound[p]
			if !ok {
				continue
			}
			c := constraints[p]
			if un, ok := c.(*ast.UnaryExpr); ok && un.Op == token.TILDE {
				c = un.X
			}
			switch c.(type) {
			case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StarExpr:
			default:
				continue
			}
			bt, err := parser.ParseExpr(b)
			if err != nil {
				return
			}
			n := len(u.bound)
			if !u.unify(c, bt) {
				return
			}
			grew = grew || len(u.bound) > n
		}
	}
	args := make([]string, len(tparams))
	for i, p := range tparams {
		if args[i] = u.bound[p]; args[i] == "" {
			return
		}
	}
	rw.ed.insert(id.End(), "["+strings.Join(args, ", ")+"]")
}

// genericDecl finds the generic function name among the chunk's
// declarations, then among the cells' earlier ones.
func (rw *rewriter) genericDecl(name string) *ast.FuncDecl {
	for _, d := range rw.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			if fd.Type.TypeParams == nil || len(fd.Type.TypeParams.List) == 0 {
				return nil
			}
			return fd
		}
	}
	src, ok := rw.s.genericSource(name)
	if !ok {
		return nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), "decl", declPrefix+src, 0)
	if err != nil || len(f.Decls) != 1 {
		return nil
	}
	fd, _ := f.Decls[0].(*ast.FuncDecl)
	return fd
}

// unifier matches parameter types against argument types, binding type
// parameters to the source of the types they stand for.
type unifier struct {
	params  map[string]bool
	bound   map[string]string // type parameter -> type, as source
	untyped map[string]string // type parameter -> default type of its untyped constants
}

func (u *unifier) mentions(t ast.Expr) bool {
	found := false
	ast.Inspect(t, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && u.params[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// untypedRank orders the default types of numeric constants: a type
// parameter given 2.5 and 7 is float64.
var untypedRank = map[string]int{"int": 1, "rune": 2, "float64": 3, "complex128": 4}

func (u *unifier) untypedArg(p, kind string) {
	old, ok := u.untyped[p]
	switch {
	case !ok || old == kind:
		u.untyped[p] = kind
	case untypedRank[old] > 0 && untypedRank[kind] > 0:
		if untypedRank[kind] > untypedRank[old] {
			u.untyped[p] = kind
		}
	default:
		u.untyped[p] = "mixed"
	}
}

// unify matches parameter type p against argument type a; false when
// they cannot match.
func (u *unifier) unify(p, a ast.Expr) bool {
	if id, ok := p.(*ast.Ident); ok && u.params[id.Name] {
		t := types.ExprString(a)
		if old, ok := u.bound[id.Name]; ok {
			return old == t
		}
		u.bound[id.Name] = t
		return true
	}
	if !u.mentions(p) {
		return true // a fixed type: the compiler checks it
	}
	a = ast.Unparen(a)
	switch p := ast.Unparen(p).(type) {
	case *ast.ArrayType:
		a, ok := a.(*ast.ArrayType)
		if !ok || (p.Len == nil) != (a.Len == nil) {
			return false
		}
		if p.Len != nil && types.ExprString(p.Len) != types.ExprString(a.Len) {
			return false
		}
		return u.unify(p.Elt, a.Elt)
	case *ast.MapType:
		a, ok := a.(*ast.MapType)
		return ok && u.unify(p.Key, a.Key) && u.unify(p.Value, a.Value)
	case *ast.StarExpr:
		a, ok := a.(*ast.StarExpr)
		return ok && u.unify(p.X, a.X)
	case *ast.ChanType:
		a, ok := a.(*ast.ChanType)
		return ok && u.unify(p.Value, a.Value)
	case *ast.FuncType:
		a, ok := a.(*ast.FuncType)
		if !ok {
			return false
		}
		pp, ap := fieldTypes(p.Params), fieldTypes(a.Params)
		pr, ar := fieldTypes(p.Results), fieldTypes(a.Results)
		if len(pp) != len(ap) || len(pr) != len(ar) {
			return false
		}
		for i := range pp {
			if !u.unify(pp[i], ap[i]) {
				return false
			}
		}
		for i := range pr {
			if !u.unify(pr[i], ar[i]) {
				return false
			}
		}
		return true
	}
	return false // a generic type (List[T]) and the like: not read here
}

func fieldTypes(fl *ast.FieldList) []ast.Expr {
	if fl == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range fl.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}

// untypedKinds are the default types of untyped constants by literal kind.
var untypedKinds = map[token.Token]string{token.INT: "int", token.FLOAT: "float64", token.IMAG: "complex128", token.CHAR: "rune", token.STRING: "string"}

// argType is the type of an argument as source (typ), or for an untyped
// constant its default type (kind), or neither when the syntax does not
// tell.
func (rw *rewriter) argType(e ast.Expr, pos token.Pos, depth int) (typ ast.Expr, kind string) {
	if depth > 8 {
		return nil, ""
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return nil, untypedKinds[e.Kind]
	case *ast.UnaryExpr:
		switch e.Op {
		case token.SUB, token.ADD, token.XOR:
			return rw.argType(e.X, pos, depth+1)
		case token.NOT:
			if t, k := rw.argType(e.X, pos, depth+1); t != nil || k == "bool" {
				return t, k
			}
		case token.AND:
			if cl, ok := e.X.(*ast.CompositeLit); ok && cl.Type != nil {
				return &ast.StarExpr{X: cl.Type}, ""
			}
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return nil, "" // bool, typed or not
		case token.SHL, token.SHR:
			return rw.argType(e.X, pos, depth+1)
		}
		xt, xk := rw.argType(e.X, pos, depth+1)
		yt, yk := rw.argType(e.Y, pos, depth+1)
		switch {
		case xt != nil:
			return xt, ""
		case yt != nil:
			return yt, ""
		case xk != "" && yk != "":
			if untypedRank[yk] > untypedRank[xk] {
				return nil, yk
			}
			return nil, xk
		}
	case *ast.CompositeLit:
		if at, ok := e.Type.(*ast.ArrayType); ok && at.Len != nil {
			if _, dots := at.Len.(*ast.Ellipsis); dots {
				return nil, ""
			}
		}
		if e.Type != nil {
			return e.Type, ""
		}
	case *ast.FuncLit:
		return e.Type, ""
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			return nil, "bool"
		case "nil":
			return nil, ""
		}
		if d, ok := rw.localDef(e.Name, pos); ok {
			if d.typ != nil {
				return d.typ, ""
			}
			if d.value != nil {
				t, k := rw.argType(d.value, d.at, depth+1)
				if k != "" {
					return ast.NewIdent(k), "" // x := 2.5 is a float64
				}
				return t, ""
			}
			return nil, ""
		}
		if rw.s.declaresNamedBasics() {
			// yaegi's reflect type of a variable of `type Celsius float64`
			// is float64: the variable's type cannot be told from it
			return nil, ""
		}
		return rw.reflectTypeExpr(rw.s.chainType(e))
	case *ast.CallExpr:
		switch fun := ast.Unparen(e.Fun).(type) {
		case *ast.Ident:
			if intTypeNames[fun.Name] || convTypeNames[fun.Name] || rw.s.isCellType(fun.Name) {
				return fun, "" // a conversion
			}
			if fun.Name == "len" || fun.Name == "cap" {
				return ast.NewIdent("int"), ""
			}
			if fun.Name == "make" && len(e.Args) > 0 {
				return e.Args[0], ""
			}
			if _, generic := rw.s.genericSource(fun.Name); rw.s.resultCount(fun.Name) == 1 && !generic {
				if t := rw.s.resultType(fun.Name); t != nil {
					return t, ""
				}
			}
			return nil, ""
		case *ast.ArrayType, *ast.MapType, *ast.ChanType:
			return fun, "" // a conversion
		}
		return rw.reflectTypeExpr(rw.s.chainType(e))
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.SliceExpr, *ast.StarExpr:
		return rw.reflectTypeExpr(rw.s.chainType(e))
	}
	return nil, ""
}

// convTypeNames are the predeclared types besides the integers.
var convTypeNames = map[string]bool{"string": true, "bool": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true}

// isCellType reports whether a cell declared name as a type that is not
// generic.
func (s *Session) isCellType(name string) bool {
	s.decls.mu.Lock()
	defer s.decls.mu.Unlock()
	d, ok := s.decls.decls[name]
	return ok && d.isType && !d.generic
}

// declaresNamedBasics reports whether a cell declared a type that is
// neither a struct nor an interface (type Celsius float64, type Path
// []Point), whose values yaegi gives the reflect type of the underlying
// type.
func (s *Session) declaresNamedBasics() bool {
	s.decls.mu.Lock()
	defer s.decls.mu.Unlock()
	for _, d := range s.decls.decls {
		if d.isType && d.namedBasic {
			return true
		}
	}
	return false
}

// reflectTypeExpr writes a compiled type as source for a type argument.
func (rw *rewriter) reflectTypeExpr(t reflect.Type) (ast.Expr, string) {
	if t == nil {
		return nil, ""
	}
	src, ok := rw.s.typeSource(t)
	if !ok {
		return nil, ""
	}
	e, err := parser.ParseExpr(src)
	if err != nil {
		return nil, ""
	}
	return e, ""
}

// localDefinition is what the chunk says about a name before a position:
// its written type, or the value it was defined with.
type localDefinition struct {
	typ, value ast.Expr
	at         token.Pos
}

// localDef finds the latest definition of name before pos in the chunk,
// in a scope that holds pos: x := e, var x T, var x = e, a parameter or
// result x T, a range variable (whose type is not read).
func (rw *rewriter) localDef(name string, pos token.Pos) (localDefinition, bool) {
	var best localDefinition
	found := false
	var stack []ast.Node
	consider := func(at token.Pos, d localDefinition) {
		// the innermost scope around the definition must hold pos
	scopes:
		for i := len(stack) - 1; i >= 0; i-- {
			switch sc := stack[i].(type) {
			case *ast.BlockStmt, *ast.FuncLit, *ast.FuncDecl, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt,
				*ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.CaseClause, *ast.CommClause:
				if pos < sc.Pos() || pos >= sc.End() {
					return
				}
				break scopes
			}
		}
		if at < pos && at >= best.at {
			d.at, best, found = at, d, true
		}
	}
	ast.Inspect(rw.file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == name {
						d := localDefinition{}
						if len(n.Lhs) == len(n.Rhs) {
							d.value = n.Rhs[i]
						}
						consider(n.Pos(), d)
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name == name {
					d := localDefinition{typ: n.Type}
					if n.Type == nil && len(n.Names) == len(n.Values) {
						d.value = n.Values[i]
					}
					consider(n.Pos(), d)
				}
			}
		case *ast.FuncType:
			// parameters and results, in the scope of the function
			for _, fl := range []*ast.FieldList{n.Params, n.Results} {
				if fl == nil {
					continue
				}
				for _, f := range fl.List {
					for _, id := range f.Names {
						if id.Name == name {
							consider(f.Pos(), localDefinition{typ: f.Type})
						}
					}
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok && id.Name == name && n.Tok == token.DEFINE {
					stack = append(stack, n)
					consider(n.Pos(), localDefinition{})
					stack = stack[:len(stack)-1]
				}
			}
		}
		stack = append(stack, n)
		return true
	})
	return best, found
}
