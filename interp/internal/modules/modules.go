// Package modules lets a session's cells import third-party pure-Go
// packages: a go.mod per session, the go command to fetch and resolve
// modules into it (refusing cgo and assembly, which yaegi cannot
// interpret), and a file system that shows yaegi each package's source
// where GOPATH mode expects it, read from the module cache.
package modules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gossl/gossl/interp/internal/proc"
)

// GOPATH is the virtual GOPATH that yaegi is given: Modules serves
// GOPATH/src/<import path> from the module cache.
const GOPATH = "/gopath"

// Modules is one session's third-party modules: its go.mod, the go command
// that fetches and resolves them, and a file system (Open) that shows yaegi
// each package's source where GOPATH mode expects it. Its methods may be
// called from several goroutines.
type Modules struct {
	dir     string // holds go.mod
	tmp     bool   // dir is ours to remove
	goCmd   string
	mu      sync.Mutex
	modDirs map[string]string // module path -> directory
	names   map[string]string // import path -> package name
}

// New returns the modules of a session whose go.mod is in dir (written
// there if missing; empty dir means a fresh temporary directory, removed
// by Close). goCmd is the go command ("go" if empty).
func New(dir, goCmd string) (*Modules, error) {
	m := &Modules{dir: dir, goCmd: goCmd, modDirs: map[string]string{}, names: map[string]string{}}
	if m.goCmd == "" {
		m.goCmd = "go"
	}
	if m.dir == "" {
		d, err := os.MkdirTemp("", "gossl-session-")
		if err != nil {
			return nil, fmt.Errorf("session module directory: %w", err)
		}
		m.dir, m.tmp = d, true
	}
	gomod := filepath.Join(m.dir, "go.mod")
	if _, err := os.Stat(gomod); os.IsNotExist(err) {
		if err := os.WriteFile(gomod, []byte("module gossl.session\n\ngo 1.26\n"), 0o644); err != nil {
			return nil, fmt.Errorf("session go.mod: %w", err)
		}
	}
	return m, nil
}

// Close removes the directory that New made; a given one stays.
func (m *Modules) Close() error {
	if m.tmp {
		return os.RemoveAll(m.dir)
	}
	return nil
}

// Dir is the directory that holds the session's go.mod.
func (m *Modules) Dir() string { return m.dir }

// Open implements fs.FS for yaegi: GOPATH/src/<import path>/... is read
// from the directory of the module that provides the import path; other
// paths are the real file system's.
func (m *Modules) Open(name string) (fs.File, error) {
	name = strings.TrimPrefix(name, "/") // yaegi asks with absolute paths
	root := strings.TrimPrefix(GOPATH, "/")
	rel, ok := strings.CutPrefix(name, root+"/src/")
	if !ok {
		if name == root || name == root+"/src" || name == "." {
			return os.Open(m.dir) // a directory that exists
		}
		return os.DirFS("/").Open(name)
	}
	dir, rest, ok := m.locate(rel)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return os.Open(filepath.Join(dir, filepath.FromSlash(rest)))
}

// Fetched tells whether a module that provides import path p has been
// fetched.
func (m *Modules) Fetched(p string) bool {
	_, _, ok := m.locate(p)
	return ok
}

// locate finds the module directory for a path inside a module.
func (m *Modules) locate(rel string) (dir, rest string, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	best := ""
	for mod := range m.modDirs {
		if (rel == mod || strings.HasPrefix(rel, mod+"/")) && len(mod) > len(best) {
			best = mod
		}
	}
	if best == "" {
		return "", "", false
	}
	return m.modDirs[best], strings.TrimPrefix(strings.TrimPrefix(rel, best), "/"), true
}

// goRun runs the go command in the session's module directory; out, if
// not nil, gets its stderr (progress) as it runs.
func (m *Modules) goRun(ctx context.Context, out io.Writer, args ...string) ([]byte, error) {
	// the go command and the tools it starts die with the cell
	cmd := proc.Command(ctx, m.goCmd, args...)
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if out != nil {
		cmd.Stderr = io.MultiWriter(&stderr, out)
	}
	err := cmd.Run()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// Get runs `go get` for a module (path or path@version, as %go get and a
// first import ask) and refreshes the module directories. out, if not
// nil, gets the go command's progress.
func (m *Modules) Get(ctx context.Context, out io.Writer, spec string) error {
	if _, err := m.goRun(ctx, out, "get", spec); err != nil {
		return err
	}
	return m.refresh(ctx)
}

func (m *Modules) refresh(ctx context.Context) error {
	data, err := m.goRun(ctx, nil, "list", "-m", "-json", "all")
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dirs := map[string]string{}
	for {
		var mod struct {
			Path, Dir string
			Main      bool
		}
		if err := dec.Decode(&mod); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if !mod.Main && mod.Dir != "" {
			dirs[mod.Path] = mod.Dir
		}
	}
	m.mu.Lock()
	m.modDirs = dirs
	m.mu.Unlock()
	return nil
}

type listedPackage struct {
	ImportPath, Name string
	Standard         bool
	CgoFiles         []string
	SFiles           []string
	Error            *struct{ Err string }
}

// Check lists package path and its dependencies and refuses what yaegi
// cannot interpret (cgo and assembly); it remembers the packages' names
// for Name.
func (m *Modules) Check(ctx context.Context, path string) error {
	data, err := m.goRun(ctx, nil, "list", "-e", "-deps", "-json", path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if p.Standard {
			continue
		}
		if p.Error != nil {
			return fmt.Errorf("package %s: %s", p.ImportPath, p.Error.Err)
		}
		switch {
		case len(p.CgoFiles) > 0:
			return fmt.Errorf("package %s uses cgo (%s): the interpreter can only import pure-Go packages", p.ImportPath, strings.Join(p.CgoFiles, ", "))
		case len(p.SFiles) > 0:
			return fmt.Errorf("package %s has assembly (%s): the interpreter can only import pure-Go packages", p.ImportPath, strings.Join(p.SFiles, ", "))
		}
		m.mu.Lock()
		m.names[p.ImportPath] = p.Name
		m.mu.Unlock()
	}
	return nil
}

// Name is the package name of import path, once Check has listed it.
func (m *Modules) Name(path string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.names[path]
	return n, ok
}
