package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// fakeRewriteScope answers the rewriter's questions from maps: the
// rewrites are tested without an interpreter.
type fakeRewriteScope struct {
	imports  map[string]string       // package name -> import path
	funcs    map[string]string       // declared functions' sources, as a cell wrote them
	globals  map[string]reflect.Type // the session's variables
	compiled map[string]reflect.Type // "path.Name" -> compiled function type
	types    map[string]bool         // types the cells declared
	cell     int64
	impls    int
}

var _ rewriteScope = (*fakeRewriteScope)(nil)

func (f *fakeRewriteScope) sessionImport(name string) (string, bool) {
	p, ok := f.imports[name]
	return p, ok
}

func (f *fakeRewriteScope) funcDecl(name string) *ast.FuncDecl {
	src, ok := f.funcs[name]
	if !ok {
		return nil
	}
	file, err := parser.ParseFile(token.NewFileSet(), "decl", declPrefix+src, 0)
	if err != nil {
		panic(err)
	}
	return file.Decls[0].(*ast.FuncDecl)
}

func (f *fakeRewriteScope) resultCount(name string) int {
	if fd := f.funcDecl(name); fd != nil {
		return fieldCount(fd.Type.Results)
	}
	return -1
}

func (f *fakeRewriteScope) resultType(name string) ast.Expr {
	if fd := f.funcDecl(name); fd != nil && fd.Type.Results != nil && len(fd.Type.Results.List) > 0 {
		return fd.Type.Results.List[0].Type
	}
	return nil
}

func (f *fakeRewriteScope) genericSource(name string) (string, bool) {
	if fd := f.funcDecl(name); fd != nil && fd.Type.TypeParams != nil {
		return f.funcs[name], true
	}
	return "", false
}

func (f *fakeRewriteScope) isCellType(name string) bool         { return f.types[name] }
func (f *fakeRewriteScope) declaresNamedBasics() bool           { return false }
func (f *fakeRewriteScope) globalType(name string) reflect.Type { return f.globals[name] }

func (f *fakeRewriteScope) chainType(e ast.Expr) reflect.Type {
	if id, ok := e.(*ast.Ident); ok {
		return f.globals[id.Name]
	}
	return nil
}

func (f *fakeRewriteScope) typeSource(t reflect.Type) (string, bool) {
	if t.PkgPath() == "" {
		return t.String(), true
	}
	return "", false
}

func (f *fakeRewriteScope) compiledFunc(path, name string) reflect.Type {
	return f.compiled[path+"."+name]
}

func (f *fakeRewriteScope) cellNumber() int64 { return f.cell }

func (f *fakeRewriteScope) freshImpl(slot string) string {
	f.impls++
	return slot + "_" + string(rune('0'+f.impls))
}

// rewriteText rewrites code, a chunk of declarations (decl) or of
// statements, as evalDecls and evalStmts would, and returns the edited
// text and the method-slot swaps.
func rewriteText(t *testing.T, sc rewriteScope, code string, decl bool) (string, []string) {
	t.Helper()
	prefix, src := stmtPrefix, stmtPrefix+code+"\n}"
	if decl {
		prefix, src = declPrefix, declPrefix+code
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	ed := newEditor(code, len(prefix), fset)
	swaps := rewriteChunk(sc, f, ed, chunkPos(code, chunk{text: code}))
	return ed.apply(), swaps
}

func TestRewrites(t *testing.T) {
	scope := func() *fakeRewriteScope {
		return &fakeRewriteScope{
			imports: map[string]string{"strings": "strings", "slices": "slices", "time": "time", "pairs": "example.com/pairs"},
			funcs: map[string]string{
				"Map":     "func Map[T, U any](s []T, f func(T) U) []U { return nil }",
				"Largest": "func Largest[T int | float64](xs ...T) T { return xs[0] }",
				"count":   "func count() int { return 3 }",
			},
			globals: map[string]reflect.Type{
				"n":               reflect.TypeFor[int](),
				"gseq":            reflect.TypeFor[func(func(string, int) bool)](),
				"_gosslM1_T_Redo": reflect.TypeFor[func(int)](),
			},
			compiled: map[string]reflect.Type{"example.com/pairs.All": reflect.TypeFor[func() func(func(string, int) bool)]()},
			cell:     7,
		}
	}
	for _, tc := range []struct {
		name  string
		decl  bool
		funcs map[string]string // more functions the cells declared
		code  string
		want  string
	}{
		{name: "loop variable per iteration", code: "for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }",
			want: "for _gosslL1 := 0; _gosslL1 < 3; _gosslL1++ {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; func() { i := _gosslL1; fs = append(fs, func() int { return i });if *_gosslrt.Cell != 7 { _gosslrt.Stale() };  }();}"},
		{name: "loop variable assigned in body stays shared", code: "for i := 0; i < 3; i++ { i++; fs = append(fs, func() int { return i }) }",
			want: "for i := 0; i < 3; i++ {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; i++; fs = append(fs, func() int { return i });if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; }"},
		{name: "range variable per iteration", code: "for _, v := range xs { go func() { use(v) }() }",
			want: "for _, _gosslL1 := range xs {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; func() { v := _gosslL1; go func() {defer _gosslRecover(1, 24);if _gosslrt.Enter() { _gosslTooDeep(\"func literal\", 1, 27) }; defer _gosslrt.Leave(); use(v) }()  }();}"},
		{name: "range over int", code: "for i := range 3 { s += i }",
			want: "for i, _gosslEnd1 := (3)*0, 3; i < _gosslEnd1; i++ {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; s += i }"},
		{name: "range over int variable", code: "for range n { s++ }",
			want: "for _gosslI2, _gosslEnd1 := (n)*0, n; _gosslI2 < _gosslEnd1; _gosslI2++ {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; s++ }"},
		{name: "range over declared func's result", code: "for i := range count() { s += i }",
			want: "for i, _gosslEnd1 := 0, count(); i < _gosslEnd1; i++ {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; s += i }"},
		{name: "range over func literal variable", code: "seq := func(yield func(int) bool) { yield(1) }\nfor v := range seq { s += v }",
			want: `seq := func(yield func(int) bool) {if _gosslrt.Enter() { _gosslTooDeep("func literal", 1, 8) }; defer _gosslrt.Leave(); yield(1) }
for v := range _gosslSeq(seq) {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; s += v }`},
		{name: "range over session's iterator, pairs", code: "for k, v := range gseq { m[k] = v }",
			want: "for _gosslP1 := range _gosslSeq2((func(func(string, int) bool))(gseq)) {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; k, v := _gosslP1.Key, _gosslP1.Value; _, _ = k, v; m[k] = v }"},
		{name: "range over compiled iterator", code: "for k := range pairs.All() { use(k) }",
			want: "for _gosslP1 := range _gosslSeq2((func(func(string, int) bool))(pairs.All())) {if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; k, _ := _gosslP1.Key, _gosslP1.Value; _, _ = k, 0; use(k);if *_gosslrt.Cell != 7 { _gosslrt.Stale() }; }"},
		{name: "goroutine recover, literal", code: "go func() { work() }()",
			want: "go func() {defer _gosslRecover(1, 1);if _gosslrt.Enter() { _gosslTooDeep(\"func literal\", 1, 4) }; defer _gosslrt.Leave(); work() }()"},
		{name: "goroutine recover, call", code: "go work(1, x)",
			want: "{_gosslF1, _gosslA2, _gosslA3 := work, 1, x; go func() { defer _gosslRecover(1, 1); _gosslF1(_gosslA2, _gosslA3)}()}"},
		{name: "min max typed", code: "m := max(x, 2)",
			want: "m := _gosslgen.Max(x, (x*0 + 2))"},
		{name: "min max float", code: "m := min(1, 2.5)",
			want: "m := _gosslgen.Min(float64(1), float64(2.5))"},
		{name: "min in a call", code: "m := count(min(1, 2))",
			want: "m := count(_gosslgen.Min(int(1), int(2)))"},
		{name: "min declared by a cell", code: "m := min(1, 2)", funcs: map[string]string{"min": "func min(a, b int) int { return a }"},
			want: "m := min(1, 2)"},
		{name: "print", code: "println(1)",
			want: "_gosslrt.Println(1)"},
		{name: "checked make", code: "b := make([]byte, n)",
			want: "b := make([]byte, _gosslrt.Alloc(([]byte)(nil), n))"},
		{name: "depth guard", decl: true, code: "func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}",
			want: `func fib(n int) int {if _gosslrt.Enter() { _gosslTooDeep("fib", 1, 1) }; defer _gosslrt.Leave();
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}`},
		{name: "leaf function unguarded", decl: true, code: "func up(s string) string { return strings.ToUpper(s) + string(len(s)) }",
			want: "func up(s string) string { return strings.ToUpper(s) + string(len(s)) }"},
		{name: "live check of a top-level loop", code: "for {\n\ttime.Sleep(1)\n\tn++\n}",
			want: `for {if *_gosslrt.Cell != 7 { _gosslrt.Stale() };
	time.Sleep(1);if *_gosslrt.Cell != 7 { _gosslrt.Stale() };
	n++
}`},
		{name: "no live check in a function", code: "f := func() { for { work() } }",
			want: "f := func() {if _gosslrt.Enter() { _gosslTooDeep(\"func literal\", 1, 6) }; defer _gosslrt.Leave(); for { work() } }"},
		{name: "comma-ok", code: "v, ok = m[\"k\"]",
			want: "{ _gosslV1, _gosslOK2 := m[\"k\"]; v, ok = _gosslV1, _gosslOK2 }"},
		{name: "nil multi-assign", code: "a, err = 1, nil",
			want: "a = 1; err = nil"},
		{name: "all nil", code: "a, b = nil, nil",
			want: "a = nil; b = nil"},
		{name: "parallel assign of any", code: "a, b = r, true",
			want: "{ _gosslPa1, _gosslPa2 := r, true; a = _gosslPa1; b = _gosslPa2 }"},
		{name: "return receive", decl: true, code: "func get(ch chan int) (int, bool) { return <-ch, true }",
			want: "func get(ch chan int) (int, bool) { { _gosslRv1 := <-ch; return _gosslRv1, true } }"},
		{name: "infer from func literal", code: "ys := Map([]int{1, 2}, func(i int) string { return \"\" })",
			want: "ys := Map[int, string]([]int{1, 2}, func(i int) string { return \"\" })"},
		{name: "infer variadic constants", code: "l := Largest(3, 9, 4)",
			want: "l := Largest[int](3, 9, 4)"},
		{name: "infer widest constant", code: "l := Largest(2.5, 7)",
			want: "l := Largest[float64](2.5, 7)"},
		{name: "infer from session variable", code: "l := Largest(n, 1)",
			want: "l := Largest[int](n, 1)"},
		{name: "infer unknown argument left to yaegi", code: "l := Largest(unknown(), 1)",
			want: "l := Largest(unknown(), 1)"},
		{name: "generic stdlib", code: "slices.Sort(xs)",
			want: "_gosslgen.SlicesSort(xs)"},
		{name: "main", decl: true, code: "func main() { main() }",
			want: "func _gosslMain() {if _gosslrt.Enter() { _gosslTooDeep(\"main\", 1, 1) }; defer _gosslrt.Leave(); _gosslMain() }"},
		{name: "method through a slot", decl: true, code: "func (t T) Show(a int) string { return t.name }",
			want: "func _gosslM1_T_Show_1(t T, a int) string { return t.name }; var _gosslM1_T_Show = _gosslM1_T_Show_1; func (_gosslR T) Show(_gosslP0 int) string { return _gosslM1_T_Show(_gosslR, _gosslP0) }"},
		{name: "method redefined", decl: true, code: "func (t *T) Redo(int) { t.Redo(1) }",
			want: `func _gosslM1_T_Redo_1(t *T, _ int) {if _gosslrt.Enter() { _gosslTooDeep("T.Redo", 1, 1) }; defer _gosslrt.Leave(); t.Redo(1) }
swaps: _gosslM1_T_Redo = _gosslM1_T_Redo_1`},
		{name: "method of a generic type as written", decl: true, code: "func (l List[T]) Len() int { return 0 }",
			want: "func (l List[T]) Len() int { return 0 }"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scope()
			for name, src := range tc.funcs {
				sc.funcs[name] = src
			}
			got, swaps := rewriteText(t, sc, tc.code, tc.decl)
			if len(swaps) > 0 {
				got += "\nswaps: " + strings.Join(swaps, "; ")
			}
			if got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.code, got, tc.want)
			}
		})
	}
}

// TestRewriteDocListsVisit keeps rewriteFuncs' comment true: it lists one
// line per rewrite, "- method (file.go): what", and those are exactly the
// methods that visit calls, each declared in the file named (rewrite.go
// when none is).
func TestRewriteDocListsVisit(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	declaredIn := map[string]string{} // rewriter method -> file
	var doc string
	var visit *ast.FuncDecl
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if fd.Name.Name == "rewriteFuncs" {
				doc = fd.Doc.Text()
			}
			if fd.Recv != nil && recvTypeName(fd.Recv.List[0].Type) == "rewriter" {
				declaredIn[fd.Name.Name] = file
				if fd.Name.Name == "visit" {
					visit = fd
				}
			}
		}
	}
	if doc == "" || visit == nil {
		t.Fatal("rewriteFuncs' comment or rewriter.visit not found")
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*- (\w+)(?: \(([\w.]+)\))?:`).FindAllStringSubmatch(doc, -1) {
		name, file := m[1], m[2]
		if file == "" {
			file = "rewrite.go"
		}
		listed[name] = true
		if declaredIn[name] != file {
			t.Errorf("rewriteFuncs' comment places %s in %s; it is declared in %q", name, file, declaredIn[name])
		}
	}
	called := map[string]bool{}
	ast.Inspect(visit.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "rw" {
					called[sel.Sel.Name] = true
				}
			}
		}
		return true
	})
	for name := range called {
		if !listed[name] {
			t.Errorf("visit calls rw.%s, which rewriteFuncs' comment does not list", name)
		}
	}
	for name := range listed {
		if !called[name] {
			t.Errorf("rewriteFuncs' comment lists %s, which visit does not call", name)
		}
	}
}
