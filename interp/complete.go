package interp

import (
	"go/token"
	"path"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gossl/gossl/interp/internal/symbols"
)

var goKeywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var"}

var goBuiltins = []string{"append", "cap", "clear", "close", "complex", "copy", "delete", "imag",
	"len", "make", "max", "min", "new", "panic", "print", "println", "real", "recover",
	"any", "bool", "byte", "comparable", "complex128", "complex64", "error", "float32", "float64",
	"int", "int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16", "uint32",
	"uint64", "uint8", "uintptr", "true", "false", "iota", "nil"}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identAround returns the identifier that contains or ends at cursor.
func identAround(code string, cursor int) (start, end int) {
	cursor = max(0, min(cursor, len(code)))
	start, end = cursor, cursor
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:start])
		if !isIdentRune(r) {
			break
		}
		start -= n
	}
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	return start, end
}

// selectorBefore returns the dotted expression before a "." that ends at
// start ("a.b" in "a.b.c|"), or "".
func selectorBefore(code string, start int) string {
	if start == 0 || code[start-1] != '.' {
		return ""
	}
	i := start - 1
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:i])
		if !isIdentRune(r) && r != '.' {
			break
		}
		i -= n
	}
	return code[i : start-1]
}

// Complete returns the completions of the identifier at cursor: members of
// a package or of a value's dynamic type after a dot, otherwise names in
// scope, imported packages, keywords and builtins. See kernel.Evaluator.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	cursor = max(0, min(cursor, len(code)))
	start, _ = identAround(code, cursor)
	end = cursor
	prefix := code[start:cursor]
	var cands []string
	if sel := selectorBefore(code, start); sel != "" {
		cands = s.members(code, sel)
	} else {
		cands = s.scopeNames(code)
	}
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] && !strings.HasPrefix(c, "_gossl") {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return matches, start, end
}

// scopeNames lists the names a cell can use.
func (s *Session) scopeNames(code string) []string {
	names := append([]string(nil), goKeywords...)
	names = append(names, goBuiltins...)
	s.mu.Lock()
	ip := s.ip
	for name := range s.imports {
		if !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	for name := range ip.Globals() {
		names = append(names, name)
	}
	for _, name := range s.decls.names() {
		if !strings.Contains(name, ".") {
			names = append(names, name)
		}
	}
	// names declared in the cell being typed
	for _, l := range strings.Split(code, "\n") {
		f := strings.Fields(l)
		for i, w := range f {
			if (w == ":=" || w == "=") && i > 0 && i < 3 {
				for _, n := range strings.Split(strings.Join(f[:i], ""), ",") {
					if token.IsIdentifier(n) {
						names = append(names, n)
					}
				}
			}
			if (w == "func" || w == "type" || w == "var" || w == "const") && i+1 < len(f) {
				n, _, _ := strings.Cut(f[i+1], "(")
				n, _, _ = strings.Cut(n, "[")
				if token.IsIdentifier(n) {
					names = append(names, n)
				}
			}
		}
	}
	return names
}

// importPath resolves a package name used in code: the session's imports,
// else an import of the code being typed, else a package of the symbol
// tables with that name.
func (s *Session) importPath(code, name string) string {
	p, ok := s.sessionImport(name)
	if ok {
		return p
	}
	for _, l := range strings.Split(code, "\n") {
		if i := strings.Index(l, `"`); i >= 0 {
			if j := strings.Index(l[i+1:], `"`); j >= 0 {
				p := l[i+1 : i+1+j]
				if path.Base(p) == name && symbolsFor(p) != nil {
					return p
				}
			}
		}
	}
	best := ""
	for key := range symbols.Symbols {
		if path.Base(key) == name && (best == "" || len(key) < len(best)) {
			best = path.Dir(key)
		}
	}
	return best
}

// members lists what can follow "sel.".
func (s *Session) members(code, sel string) []string {
	if !strings.Contains(sel, ".") {
		if p := s.importPath(code, sel); p != "" {
			var out []string
			for name := range symbolsFor(p) {
				out = append(out, name)
			}
			for key := range genericStdlib {
				if pkg, name, _ := strings.Cut(key, "."); pkg == p {
					out = append(out, name)
				}
			}
			return out
		}
	}
	v, ok := s.lookupValue(sel)
	if !ok {
		return nil
	}
	out := valueMembers(v)
	// methods of interpreted types are not in reflect
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if name, ok := rt.typeName(v.Type()); ok {
		out = append(out, s.decls.methodsOf(name)...)
	}
	return out
}

// lookupValue finds a global by a dotted path of fields.
func (s *Session) lookupValue(sel string) (reflect.Value, bool) {
	parts := strings.Split(sel, ".")
	s.mu.Lock()
	ip := s.ip
	s.mu.Unlock()
	v, ok := ip.Globals()[parts[0]]
	if !ok || !v.IsValid() {
		return reflect.Value{}, false
	}
	for _, p := range parts[1:] {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		v = v.FieldByName(p)
		if !v.IsValid() {
			return reflect.Value{}, false
		}
	}
	return v, true
}

// valueMembers lists exported fields and methods of v's dynamic type.
func valueMembers(v reflect.Value) []string {
	var out []string
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	t := v.Type()
	for i := 0; i < t.NumMethod(); i++ {
		out = append(out, t.Method(i).Name)
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		if t.Kind() != reflect.Interface {
			pt := reflect.PointerTo(t)
			for i := 0; i < pt.NumMethod(); i++ {
				out = append(out, pt.Method(i).Name)
			}
		}
	} else if t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		for i := 0; i < pt.NumMethod(); i++ {
			out = append(out, pt.Method(i).Name)
		}
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() || v.Kind() == reflect.Struct {
				out = append(out, f.Name)
			}
		}
	}
	return out
}
