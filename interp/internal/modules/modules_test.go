package modules

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// offline points the go command at the local module cache, so the test
// needs no network; it skips when the module is not cached.
func offline(t *testing.T, module string) {
	t.Helper()
	cache := filepath.Join(os.Getenv("HOME"), "go", "pkg", "mod", "cache", "download")
	if gomodcache := os.Getenv("GOMODCACHE"); gomodcache != "" {
		cache = filepath.Join(gomodcache, "cache", "download")
	}
	if _, err := os.Stat(filepath.Join(cache, module)); err != nil {
		t.Skipf("%s is not in the module cache", module)
	}
	t.Setenv("GOPROXY", "file://"+cache)
	t.Setenv("GOSUMDB", "off")
}

func newModules(t *testing.T, dir string) *Modules {
	t.Helper()
	m, err := New(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// Without a directory, New makes one with a go.mod and Close removes it;
// a given directory keeps its go.mod and outlives Close.
func TestNewAndClose(t *testing.T) {
	m := newModules(t, "")
	if _, err := os.Stat(filepath.Join(m.Dir(), "go.mod")); err != nil {
		t.Fatalf("no go.mod in the new directory: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left %s: %v", m.Dir(), err)
	}

	dir := t.TempDir()
	own := "module mine\n\ngo 1.22\n"
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(own), 0o644)
	m = newModules(t, dir)
	m.Close()
	if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err != nil || string(b) != own {
		t.Errorf("a given go.mod became %q, %v", b, err)
	}
}

// Open serves GOPATH/src/<import path> from the directory of the module
// that provides the path, choosing the longest module path.
func TestOpenServesModuleSource(t *testing.T) {
	m := newModules(t, "")
	outer, inner := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(outer, "a.go"), []byte("package outer"), 0o644)
	os.MkdirAll(filepath.Join(outer, "sub"), 0o755)
	os.WriteFile(filepath.Join(outer, "sub", "b.go"), []byte("package sub"), 0o644)
	os.WriteFile(filepath.Join(inner, "c.go"), []byte("package inner"), 0o644)
	m.modDirs = map[string]string{"example.com/outer": outer, "example.com/outer/inner": inner}

	for name, want := range map[string]string{
		GOPATH + "/src/example.com/outer/a.go":       "package outer",
		GOPATH + "/src/example.com/outer/sub/b.go":   "package sub",
		GOPATH + "/src/example.com/outer/inner/c.go": "package inner",
	} {
		f, err := m.Open(name)
		if err != nil {
			t.Errorf("Open(%s): %v", name, err)
			continue
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != want {
			t.Errorf("Open(%s) reads %q, want %q", name, b, want)
		}
	}
	if _, err := m.Open(GOPATH + "/src/example.com/other/x.go"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a module never fetched: err = %v, want fs.ErrNotExist", err)
	}
	if !m.Fetched("example.com/outer/sub") || m.Fetched("example.com/outerwear") {
		t.Error("Fetched does not match module paths by whole elements")
	}
}

// Get fetches a module into go.mod; Check names its packages.
func TestGetAndCheck(t *testing.T) {
	offline(t, "github.com/pkg/errors/@v/v0.9.1.zip")
	m := newModules(t, "")
	ctx := context.Background()
	var progress strings.Builder
	if err := m.Get(ctx, &progress, "github.com/pkg/errors@v0.9.1"); err != nil {
		t.Fatal(err)
	}
	if !m.Fetched("github.com/pkg/errors") {
		t.Fatal("the module is not known after Get")
	}
	gomod, _ := os.ReadFile(filepath.Join(m.Dir(), "go.mod"))
	if !strings.Contains(string(gomod), "github.com/pkg/errors v0.9.1") {
		t.Errorf("go.mod does not pin the module:\n%s", gomod)
	}
	if _, ok := m.Name("github.com/pkg/errors"); ok {
		t.Error("Name answers before Check")
	}
	if err := m.Check(ctx, "github.com/pkg/errors"); err != nil {
		t.Fatal(err)
	}
	if n, ok := m.Name("github.com/pkg/errors"); !ok || n != "errors" {
		t.Errorf("Name = %q, %v; want errors", n, ok)
	}
	f, err := m.Open(GOPATH + "/src/github.com/pkg/errors/errors.go")
	if err != nil {
		t.Fatalf("the fetched source is not served: %v", err)
	}
	f.Close()
}

// A module that uses cgo is refused by Check with a reason.
func TestCheckRefusesCgo(t *testing.T) {
	offline(t, "github.com/go-zeromq/goczmq/v4/@v/v4.2.2.zip")
	m := newModules(t, "")
	ctx := context.Background()
	if err := m.Get(ctx, nil, "github.com/go-zeromq/goczmq/v4@v4.2.2"); err != nil {
		t.Fatal(err)
	}
	err := m.Check(ctx, "github.com/go-zeromq/goczmq/v4")
	if err == nil || !strings.Contains(err.Error(), "uses cgo") {
		t.Fatalf("Check = %v, want a refusal that names cgo", err)
	}
}

// A failing go command is reported with its arguments and message.
func TestGoCommandFailure(t *testing.T) {
	m := newModules(t, "")
	m.goCmd = "false"
	err := m.Get(context.Background(), nil, "example.invalid/x")
	if err == nil || !strings.Contains(err.Error(), "go get example.invalid/x") {
		t.Fatalf("Get = %v, want an error that names the command", err)
	}
}
