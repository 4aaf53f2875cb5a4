package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Tags of the parameter cells, as papermill names them.
const (
	ParametersTag         = "parameters"
	InjectedParametersTag = "injected-parameters"
	RaisesExceptionTag    = "raises-exception"
)

// Parameter is a variable declared in the parameters cell.
type Parameter struct {
	Name string
	Type string // Go type as written or inferred: "int", "float64", "string", "time.Duration", ...
}

// Parameters returns the variables declared in the cell tagged
// "parameters" (nil if there is none), in the order they appear.
func (nb *Notebook) Parameters() ([]Parameter, error) {
	i := nb.cellTagged(ParametersTag)
	if i < 0 {
		return nil, nil
	}
	return parseParameters(nb.Cells[i].Source)
}

func (nb *Notebook) cellTagged(tag string) int {
	for i, c := range nb.Cells {
		if c.Type == "code" && c.HasTag(tag) {
			return i
		}
	}
	return -1
}

// parseParameters reads `var name T = v`, `var name = v`, `var (...)`
// and `name := v` lines of a parameters cell.
func parseParameters(src string) ([]Parameter, error) {
	fset := token.NewFileSet()
	// A cell may mix declarations and statements; statements parse inside
	// a function body, declarations at either level.
	f, err := parser.ParseFile(fset, "parameters", "package p\nfunc _() {\n"+src+"\n}\n", 0)
	if err != nil {
		return nil, fmt.Errorf("parsing the parameters cell: %v", strings.Replace(err.Error(), "parameters:", "line ", 1))
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	var params []Parameter
	add := func(name *ast.Ident, typ ast.Expr, value ast.Expr) error {
		if name.Name == "_" {
			return nil
		}
		t := ""
		if typ != nil {
			t = exprString(typ)
		} else if value != nil {
			t = literalType(value)
		}
		if t == "" {
			return fmt.Errorf("parameters cell, line %d: cannot tell the type of %s from %s (write it out: var %s TYPE = VALUE)",
				fset.Position(name.Pos()).Line-2, name.Name, exprString(value), name.Name)
		}
		params = append(params, Parameter{Name: name.Name, Type: t})
		return nil
	}
	for _, st := range body.List {
		switch st := st.(type) {
		case *ast.DeclStmt:
			gd, ok := st.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for k, name := range vs.Names {
					var v ast.Expr
					if k < len(vs.Values) {
						v = vs.Values[k]
					}
					if err := add(name, vs.Type, v); err != nil {
						return nil, err
					}
				}
			}
		case *ast.AssignStmt:
			if st.Tok != token.DEFINE || len(st.Lhs) != len(st.Rhs) {
				continue
			}
			for k, lhs := range st.Lhs {
				if name, ok := lhs.(*ast.Ident); ok {
					if err := add(name, nil, st.Rhs[k]); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return params, nil
}

// literalType is the type Go gives an untyped constant expression, or the
// type of a conversion or composite literal; "" when it cannot be told
// without type checking.
func literalType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			return "int"
		case token.FLOAT:
			return "float64"
		case token.STRING:
			return "string"
		case token.CHAR:
			return "rune"
		case token.IMAG:
			return "complex128"
		}
	case *ast.Ident:
		if e.Name == "true" || e.Name == "false" {
			return "bool"
		}
	case *ast.ParenExpr:
		return literalType(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			return literalType(e.X)
		}
		if e.Op == token.SUB || e.Op == token.ADD {
			return literalType(e.X)
		}
	case *ast.BinaryExpr:
		l, r := literalType(e.X), literalType(e.Y)
		// Durations are usually written 5 * time.Second.
		if isDurationConst(e.X) || isDurationConst(e.Y) {
			return "time.Duration"
		}
		if l == r {
			return l
		}
		if (l == "int" && r == "float64") || (l == "float64" && r == "int") {
			return "float64"
		}
	case *ast.CallExpr:
		// A conversion to a named type: float32(0.1), time.Duration(5).
		if len(e.Args) == 1 {
			switch fn := e.Fun.(type) {
			case *ast.Ident:
				if isBasicType(fn.Name) {
					return fn.Name
				}
			case *ast.SelectorExpr:
				if exprString(fn) == "time.Duration" {
					return "time.Duration"
				}
			}
		}
	case *ast.CompositeLit:
		if e.Type != nil {
			return exprString(e.Type)
		}
	case *ast.SelectorExpr:
		if isDurationConst(e) {
			return "time.Duration"
		}
	}
	return ""
}

func isDurationConst(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch exprString(s) {
	case "time.Nanosecond", "time.Microsecond", "time.Millisecond", "time.Second", "time.Minute", "time.Hour":
		return true
	}
	return false
}

func isBasicType(name string) bool {
	switch name {
	case "bool", "string", "int", "int8", "int16", "int32", "int64",
		"uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
		"float32", "float64", "complex64", "complex128", "byte", "rune":
		return true
	}
	return false
}

func exprString(e ast.Expr) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeExpr prints the type and literal expressions a parameters cell
// uses; anything else prints as "…".
func writeExpr(b *strings.Builder, e ast.Expr) {
	switch e := e.(type) {
	case *ast.Ident:
		b.WriteString(e.Name)
	case *ast.BasicLit:
		b.WriteString(e.Value)
	case *ast.SelectorExpr:
		writeExpr(b, e.X)
		b.WriteString("." + e.Sel.Name)
	case *ast.StarExpr:
		b.WriteString("*")
		writeExpr(b, e.X)
	case *ast.ArrayType:
		b.WriteString("[")
		if e.Len != nil {
			writeExpr(b, e.Len)
		}
		b.WriteString("]")
		writeExpr(b, e.Elt)
	case *ast.MapType:
		b.WriteString("map[")
		writeExpr(b, e.Key)
		b.WriteString("]")
		writeExpr(b, e.Value)
	case *ast.UnaryExpr:
		b.WriteString(e.Op.String())
		writeExpr(b, e.X)
	default:
		b.WriteString("…")
	}
}

// InjectParameters adds a cell tagged "injected-parameters" after the
// parameters cell (at the top when there is none, replacing one left by an
// earlier run) that sets each name to its value. Values are written as Go
// for the parameter's type: numbers and booleans are checked and written
// as they are, strings are quoted unless already a Go string literal,
// durations accept "90s" or "1m30s", and other types take a Go expression
// (`[]int{1, 2}`). A name the parameters cell does not declare is declared
// with the type its value suggests, and reported in the returned warnings.
func (nb *Notebook) InjectParameters(values map[string]string) (warnings []string, err error) {
	if len(values) == 0 {
		return nil, nil
	}
	params, err := nb.Parameters()
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, p := range params {
		types[p.Name] = p.Type
	}
	names := make([]string, 0, len(values))
	for name := range values {
		if !token.IsIdentifier(name) {
			return nil, fmt.Errorf("parameter %q: not a Go identifier", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var src strings.Builder
	src.WriteString("// Parameters\n")
	for _, name := range names {
		typ, known := types[name]
		if !known {
			typ = guessType(values[name])
			warnings = append(warnings, fmt.Sprintf("parameter %s is not declared in a cell tagged %q; declaring it as %s",
				name, ParametersTag, typ))
		}
		lit, err := goLiteral(typ, values[name])
		if err != nil {
			return nil, fmt.Errorf("parameter %s (%s): %w", name, typ, err)
		}
		if known {
			fmt.Fprintf(&src, "%s = %s\n", name, lit)
		} else {
			fmt.Fprintf(&src, "var %s %s = %s\n", name, typ, lit)
		}
	}
	if len(params) == 0 && nb.cellTagged(ParametersTag) < 0 {
		warnings = append(warnings, fmt.Sprintf("no cell is tagged %q; the parameters go in a new first cell", ParametersTag))
	}
	cell := &Cell{Type: "code", Source: strings.TrimSuffix(src.String(), "\n"),
		Metadata: map[string]any{"tags": []any{InjectedParametersTag}}}
	if nb.NBFormatMinor >= 5 {
		cell.ID = newCellID()
	}
	// Replace the cell of an earlier injection, else insert after the
	// parameters cell.
	if i := nb.cellTagged(InjectedParametersTag); i >= 0 {
		nb.Cells[i] = cell
		return warnings, nil
	}
	at := nb.cellTagged(ParametersTag) + 1
	nb.Cells = append(nb.Cells, nil)
	copy(nb.Cells[at+1:], nb.Cells[at:])
	nb.Cells[at] = cell
	return warnings, nil
}

func newCellID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// guessType is the type of an undeclared parameter's value.
func guessType(v string) string {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "int"
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return "float64"
	}
	if v == "true" || v == "false" {
		return "bool"
	}
	return "string"
}

// goLiteral writes v as a Go expression of type typ.
func goLiteral(typ, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch typ {
	case "string":
		if len(v) >= 2 && (v[0] == '"' || v[0] == '`') {
			if _, err := strconv.Unquote(v); err == nil {
				return v, nil
			}
		}
		return strconv.Quote(v), nil
	case "bool":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("%q is not a bool (true or false)", v)
		}
		return strconv.FormatBool(b), nil
	case "int", "int8", "int16", "int32", "int64":
		bits := map[string]int{"int": 64, "int8": 8, "int16": 16, "int32": 32, "int64": 64}[typ]
		n, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 0, bits)
		if err != nil {
			return "", fmt.Errorf("%q is not an %s", v, typ)
		}
		return strconv.FormatInt(n, 10), nil
	case "uint", "uint8", "uint16", "uint32", "uint64", "byte", "uintptr":
		bits := map[string]int{"uint8": 8, "byte": 8, "uint16": 16, "uint32": 32}[typ]
		if bits == 0 {
			bits = 64
		}
		n, err := strconv.ParseUint(strings.ReplaceAll(v, "_", ""), 0, bits)
		if err != nil {
			return "", fmt.Errorf("%q is not a %s", v, typ)
		}
		return strconv.FormatUint(n, 10), nil
	case "float32", "float64":
		bits := 64
		if typ == "float32" {
			bits = 32
		}
		f, err := strconv.ParseFloat(v, bits)
		if err != nil {
			return "", fmt.Errorf("%q is not a number", v)
		}
		s := strconv.FormatFloat(f, 'g', -1, bits)
		if !strings.ContainsAny(s, ".eEn") { // keep it a float constant
			s += ".0"
		}
		return s, nil
	case "time.Duration":
		d, err := time.ParseDuration(v)
		if err != nil {
			return "", fmt.Errorf("%q is not a duration (like 90s or 1m30s)", v)
		}
		return fmt.Sprintf("time.Duration(%d) // %s", int64(d), d), nil
	}
	if _, err := parser.ParseExpr(v); err != nil {
		return "", fmt.Errorf("%q is not a Go expression: %v", v, err)
	}
	return v, nil
}
