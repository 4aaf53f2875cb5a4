// Command docgen writes the signature and doc comment of every exported
// symbol of the packages named on its command line, as gzipped JSON, to
// stdout: the text the kernel shows on Shift-Tab. It is run by
// generate.sh beside `yaegi extract`.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"sort"
	"strings"
)

func main() {
	docs := map[string][2]string{} // "path" or "path.Name" -> signature, doc
	for _, path := range os.Args[1:] {
		if err := addPackage(docs, path); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", path+":", err)
		}
	}
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ordered := make([][3]string, 0, len(keys))
	for _, k := range keys {
		ordered = append(ordered, [3]string{k, docs[k][0], docs[k][1]})
	}
	zw, _ := gzip.NewWriterLevel(os.Stdout, gzip.BestCompression)
	if err := json.NewEncoder(zw).Encode(ordered); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	if err := zw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func addPackage(docs map[string][2]string, path string) error {
	bp, err := build.Import(path, "", 0)
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	keep := func(fi fs.FileInfo) bool {
		for _, f := range bp.GoFiles {
			if f == fi.Name() {
				return true
			}
		}
		return false
	}
	pkgs, err := parser.ParseDir(fset, bp.Dir, keep, parser.ParseComments)
	if err != nil {
		return err
	}
	pkg, ok := pkgs[bp.Name]
	if !ok {
		return fmt.Errorf("no package %s in %s", bp.Name, bp.Dir)
	}
	var files []*ast.File
	for _, f := range pkg.Files {
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return err
	}
	docs[path] = [2]string{"package " + d.Name, d.Doc}
	for _, f := range d.Funcs {
		docs[path+"."+f.Name] = [2]string{sig(fset, f.Decl), f.Doc}
	}
	for _, t := range d.Types {
		docs[path+"."+t.Name] = [2]string{typeSig(fset, t.Decl), t.Doc}
		for _, f := range t.Funcs {
			docs[path+"."+f.Name] = [2]string{sig(fset, f.Decl), f.Doc}
		}
		for _, m := range t.Methods {
			docs[path+"."+t.Name+"."+m.Name] = [2]string{sig(fset, m.Decl), m.Doc}
		}
		addValues(docs, fset, path, t.Consts)
		addValues(docs, fset, path, t.Vars)
	}
	addValues(docs, fset, path, d.Consts)
	addValues(docs, fset, path, d.Vars)
	return nil
}

func addValues(docs map[string][2]string, fset *token.FileSet, path string, vals []*doc.Value) {
	for _, v := range vals {
		for _, spec := range v.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			for _, n := range vs.Names {
				if !n.IsExported() {
					continue
				}
				kw := v.Decl.Tok.String()
				s := kw + " " + n.Name
				if vs.Type != nil {
					s += " " + node(fset, vs.Type)
				}
				d := v.Doc
				if vs.Doc != nil {
					d = vs.Doc.Text()
				} else if vs.Comment != nil {
					d = vs.Comment.Text()
				}
				docs[path+"."+n.Name] = [2]string{s, d}
			}
		}
	}
}

func sig(fset *token.FileSet, f *ast.FuncDecl) string {
	f2 := *f
	f2.Body, f2.Doc = nil, nil
	return node(fset, &f2)
}

// typeSig prints a type declaration, cut short for big structs.
func typeSig(fset *token.FileSet, g *ast.GenDecl) string {
	g2 := *g
	g2.Doc = nil
	s := node(fset, &g2)
	if lines := strings.Split(s, "\n"); len(lines) > 30 {
		s = strings.Join(lines[:30], "\n") + "\n\t// ...\n}"
	}
	return s
}

func node(fset *token.FileSet, n any) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, n)
	return b.String()
}
