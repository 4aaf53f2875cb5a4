package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gossl/gossl/interp/symbols"
)

// modules lets cells import third-party pure-Go packages: a per-session
// go.mod, the go command to fetch and resolve them, and a file system that
// shows yaegi each package's source where GOPATH mode expects it
// ($GOPATH/src/<import path>), read from the module cache.
type modules struct {
	dir     string // holds go.mod
	tmp     bool   // dir is ours to remove
	goCmd   string
	mu      sync.Mutex
	modDirs map[string]string // module path -> directory
	names   map[string]string // import path -> package name
}

func newModules(opts Options) (*modules, error) {
	m := &modules{dir: opts.ModuleDir, goCmd: opts.GoCommand, modDirs: map[string]string{}, names: map[string]string{}}
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

func (m *modules) close() error {
	if m.tmp {
		return os.RemoveAll(m.dir)
	}
	return nil
}

// gopath is the virtual GOPATH yaegi looks in; Open serves it.
func (m *modules) gopath() string { return "/gopath" }

// Open implements fs.FS for yaegi: gopath/src/<import path>/... is read
// from the directory of the module that provides the import path.
func (m *modules) Open(name string) (fs.File, error) {
	name = strings.TrimPrefix(name, "/") // yaegi asks with absolute paths
	rel, ok := strings.CutPrefix(name, strings.TrimPrefix(m.gopath(), "/")+"/src/")
	if !ok {
		if name == strings.TrimPrefix(m.gopath(), "/") || name == strings.TrimPrefix(m.gopath(), "/")+"/src" || name == "." {
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

// locate finds the module directory for a path inside a module.
func (m *modules) locate(rel string) (dir, rest string, ok bool) {
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

// goRun runs the go command in the session's module directory.
func (m *modules) goRun(ctx context.Context, out io.Writer, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, m.goCmd, args...)
	// Like ! commands: the go command and the tools it starts form one
	// process group, killed as a whole on interrupt or with the kernel.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killTree(cmd.Process.Pid) }
	cmd.WaitDelay = 2 * time.Second
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

// get runs `go get` for a module (path or path@version) and refreshes the
// module directories.
func (m *modules) get(ctx context.Context, out io.Writer, spec string) error {
	if _, err := m.goRun(ctx, out, "get", spec); err != nil {
		return err
	}
	return m.refresh(ctx)
}

func (m *modules) refresh(ctx context.Context) error {
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

// check lists path and its dependencies and refuses what yaegi cannot
// interpret: cgo and assembly.
func (m *modules) check(ctx context.Context, path string) error {
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

func (m *modules) name(path string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.names[path]
	return n, ok
}

// isThirdParty tells import paths that need the go command: those with a
// dot in their first element and no compiled symbols.
func isThirdParty(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return strings.Contains(first, ".") && symbolsFor(p) == nil
}

// ensurePackage makes a third-party import available before yaegi sees it:
// fetched with the go command on first use and checked to be pure Go.
func (s *Session) ensurePackage(ctx context.Context, p string) error {
	if !isThirdParty(p) {
		return nil
	}
	if _, ok := s.mods.name(p); ok {
		return nil
	}
	if _, _, ok := s.mods.locate(p); !ok {
		// The go command reports progress ("go: downloading …", "go:
		// added …") on its stderr; shown as the cell's stderr it would
		// look like an error, so it goes to stdout. A failure still
		// becomes an ImportError with go's message.
		var w io.Writer
		if out := s.currentOutput(); out != nil {
			w = streamWriter{out, "stdout"}
		}
		if err := s.mods.get(ctx, w, p); err != nil {
			return &CellError{Name: "ImportError", Msg: fmt.Sprintf("cannot fetch %s: %v", p, err)}
		}
	}
	if err := s.mods.check(ctx, p); err != nil {
		return &CellError{Name: "ImportError", Msg: err.Error()}
	}
	return nil
}

// packageName is the name an import of p brings into scope by default.
func (s *Session) packageName(p string) string {
	if n, ok := s.mods.name(p); ok {
		return n
	}
	for key := range symbols.Symbols {
		if dir, name := path.Dir(key), path.Base(key); dir == p {
			return name
		}
	}
	return path.Base(p)
}

// streamWriter writes to a cell's stream.
type streamWriter struct {
	out  Output
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.out.Stream(w.name, string(p))
	return len(p), nil
}
