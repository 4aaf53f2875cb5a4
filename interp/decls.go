package interp

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"sync"
)

// declRegistry remembers the source of every top-level function, method
// and type the cells declared, and which names each one uses. yaegi binds
// a call to the function that existed when the caller was compiled (yaegi
// issue #1673), so when a name is redefined the session re-evaluates the
// declarations that use it.
type declRegistry struct {
	mu    sync.Mutex
	decls map[string]*declSource // by name; methods as "Type.Method"
	order []string
	seq   int      // numbers the body functions of methods (methods.go)
	swaps []string // slot assignments the last rewrite left (methods.go)
}

type declSource struct {
	name        string
	src         string          // the declaration as evaluated (rewritten)
	uses        map[string]bool // top-level names it refers to
	results     ast.Expr        // the first result type of a function
	nresults    int             // how many results a function has
	generic     bool            // a function with type parameters
	isType      bool
	namedBasic  bool   // a type neither struct nor interface (inference.go)
	sig         string // a method's types (methodSig)
	genericRecv bool   // a method of a generic type
}

func newDeclRegistry() *declRegistry {
	return &declRegistry{decls: map[string]*declSource{}}
}

// resultCount is how many results a declared function has, or -1.
func (r *declRegistry) resultCount(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.decls[name]
	if !ok || d.isType {
		return -1
	}
	return d.nresults
}

// isGeneric reports whether name is a generic function a cell declared.
func (r *declRegistry) isGeneric(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.decls[name]
	return ok && d.generic
}

// methodResultCount is the result count shared by every declared method
// called name, or -1.
func (r *declRegistry) methodResultCount(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := -1
	for key, d := range r.decls {
		if strings.HasSuffix(key, "."+name) {
			if n >= 0 && n != d.nresults {
				return -1
			}
			n = d.nresults
		}
	}
	return n
}

func fieldCount(fl *ast.FieldList) int {
	if fl == nil {
		return 0
	}
	n := 0
	for _, f := range fl.List {
		n += max(1, len(f.Names))
	}
	return n
}

// record stores d and returns the earlier declarations that use its name,
// in declaration order, when it redefines one.
func (r *declRegistry) record(d *declSource) (dependents []*declSource, typeChanged bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, redefined := r.decls[d.name]
	typeChanged = redefined && d.isType && old.src != d.src
	if !redefined {
		r.order = append(r.order, d.name)
	}
	r.decls[d.name] = d
	if !redefined {
		return nil, false
	}
	// Everything that uses d, directly or through another dependent.
	changed := map[string]bool{d.name: true}
	for grew := true; grew; {
		grew = false
		for _, name := range r.order {
			o := r.decls[name]
			if changed[name] || o.isType {
				continue
			}
			for u := range o.uses {
				if changed[u] || changed[strings.SplitN(u, ".", 2)[0]] {
					changed[name] = true
					grew = true
					break
				}
			}
		}
	}
	for _, name := range r.order {
		if changed[name] && name != d.name {
			dependents = append(dependents, r.decls[name])
		}
	}
	return dependents, typeChanged
}

// changes reports whether d is a new version of a recorded declaration.
func (r *declRegistry) changes(d *declSource) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.decls[d.name]
	return ok && old.src != d.src
}

// all returns the recorded declarations, types first, in order.
func (r *declRegistry) all() []*declSource {
	r.mu.Lock()
	defer r.mu.Unlock()
	var types, funcs []*declSource
	for _, name := range r.order {
		if d := r.decls[name]; d.isType {
			types = append(types, d)
		} else {
			funcs = append(funcs, d)
		}
	}
	return append(types, funcs...)
}

// names lists the declared functions and types (for %who and completion).
func (r *declRegistry) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.order...)
}

// prepareImports drops imports the session already has (yaegi refuses a
// second import of a package), fetches third-party modules, and records
// the names imports bring into scope.
func (s *Session) prepareImports(ctx context.Context, f *ast.File, ed *editor) error {
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		kept := 0
		for _, spec := range g.Specs {
			is := spec.(*ast.ImportSpec)
			path, _ := strconv.Unquote(is.Path.Value)
			name := ""
			if is.Name != nil {
				name = is.Name.Name
			}
			if err := s.ensurePackage(ctx, path); err != nil {
				return err
			}
			if name == "" {
				name = s.packageName(path)
			}
			old, seen := s.sessionImport(name)
			if seen && old == path || name == "_" && s.importedBlank(path) {
				ed.blank(is.Pos(), is.End())
				continue
			}
			kept++
			s.mu.Lock()
			if name == "_" {
				s.imports["_"+path] = path
			} else if name != "." {
				s.imports[name] = path
			}
			s.mu.Unlock()
		}
		if kept == 0 {
			ed.blank(g.Pos(), g.End())
		}
	}
	return nil
}

func (s *Session) importedBlank(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.imports["_"+path]
	return ok
}

// afterDecls records the chunk's declarations and re-evaluates earlier
// ones that used a redefined name, so that they call the new version.
func (s *Session) afterDecls(ctx context.Context, cell string, ch chunk, f *ast.File) error {
	if swaps := s.decls.takeSwaps(); len(swaps) > 0 {
		// redefined methods: their slots take the new bodies (methods.go)
		if _, err := s.evalPlain(ctx, strings.Join(swaps, "\n")); err != nil {
			return err
		}
	}
	var redo []*declSource
	seen := map[string]bool{}
	rebuild := false
	for _, d := range f.Decls {
		for _, ds := range describeDecl(d, ch.text, len(declPrefix)) {
			deps, typeChanged := s.decls.record(ds)
			rebuild = rebuild || typeChanged
			for _, dep := range deps {
				if !seen[dep.name] {
					seen[dep.name] = true
					redo = append(redo, dep)
				}
			}
		}
	}
	if rebuild {
		return s.rebuild(ctx)
	}
	// Tell the compiled side which reflect type each new type is, so that
	// completion can list the methods of values of interpreted types.
	var names strings.Builder
	for _, d := range f.Decls {
		for _, ds := range describeDecl(d, ch.text, len(declPrefix)) {
			if ds.isType && !ds.generic {
				fmt.Fprintf(&names, "_gosslrt.NameType(%q, new(%s));", ds.name, ds.name)
			}
		}
	}
	if names.Len() > 0 {
		s.evalPlain(ctx, names.String())
	}
	for _, dep := range redo {
		if err := s.reevalDecl(ctx, dep.src); err != nil {
			// The dependent no longer compiles against the new definition;
			// it keeps its old meaning, as in yaegi, and the user is told.
			writeStderr("note: " + dep.name + " still uses the previous definition: " + err.Error() + "\n")
		}
	}
	return nil
}

// describeDecl extracts the top-level functions and types of a declaration
// with the names they use.
func describeDecl(d ast.Decl, text string, prefix int) []*declSource {
	src := func(n ast.Node) string {
		from, to := int(n.Pos())-1-prefix, int(n.End())-1-prefix
		if from < 0 || to > len(text) || from > to {
			return ""
		}
		return text[from:to]
	}
	switch d := d.(type) {
	case *ast.FuncDecl:
		name := d.Name.Name
		if d.Recv != nil && len(d.Recv.List) > 0 {
			name = recvTypeName(d.Recv.List[0].Type) + "." + name
		}
		ds := &declSource{name: name, src: src(d), uses: usedNames(d), sig: methodSig(d)}
		if d.Recv != nil && len(d.Recv.List) > 0 {
			ds.genericRecv = genericRecv(d.Recv.List[0].Type)
		}
		ds.nresults = fieldCount(d.Type.Results)
		ds.generic = d.Type.TypeParams != nil && len(d.Type.TypeParams.List) > 0
		if d.Type.Results != nil && len(d.Type.Results.List) > 0 {
			ds.results = d.Type.Results.List[0].Type
		}
		return []*declSource{ds}
	case *ast.GenDecl:
		if d.Tok != token.TYPE {
			return nil
		}
		var out []*declSource
		for _, spec := range d.Specs {
			ts := spec.(*ast.TypeSpec)
			_, isStruct := ts.Type.(*ast.StructType)
			_, isIface := ts.Type.(*ast.InterfaceType)
			out = append(out, &declSource{name: ts.Name.Name, src: "type " + src(ts), uses: usedNames(ts), isType: true,
				generic: ts.TypeParams != nil && len(ts.TypeParams.List) > 0, namedBasic: !isStruct && !isIface})
		}
		return out
	}
	return nil
}

func recvTypeName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.StarExpr:
		return recvTypeName(t.X)
	case *ast.IndexExpr:
		return recvTypeName(t.X)
	case *ast.IndexListExpr:
		return recvTypeName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// usedNames collects the identifiers a declaration mentions; locals that
// shadow a global only cause an unneeded re-evaluation.
func usedNames(n ast.Node) map[string]bool {
	uses := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			uses[id.Name] = true
		}
		return true
	})
	return uses
}

// reevalDecl evaluates a recorded declaration again, with the rewrites.
func (s *Session) reevalDecl(ctx context.Context, src string) error {
	outer := s.decls.takeSwaps() // the chunk being evaluated keeps its own
	defer s.decls.setSwaps(outer)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "decl", declPrefix+src, 0)
	if err != nil {
		return err
	}
	ed := newEditor(src, len(declPrefix), fset)
	s.rewriteFuncs(f, ed, chunkPos(src, chunk{text: src}))
	if _, err = s.eval(ctx, src, chunk{kind: declChunk, text: src}, ed.apply()); err != nil {
		return err
	}
	if swaps := s.decls.takeSwaps(); len(swaps) > 0 {
		_, err = s.evalPlain(ctx, strings.Join(swaps, "\n"))
	}
	return err
}

// methodsOf lists the methods a cell declared on type name.
func (r *declRegistry) methodsOf(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for key := range r.decls {
		if t, m, ok := strings.Cut(key, "."); ok && t == name {
			out = append(out, m)
		}
	}
	return out
}

// sessionImport returns the import path that a package name stands for in
// the session, if a cell imported it.
func (s *Session) sessionImport(name string) (path string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, ok = s.imports[name]
	return path, ok
}
