package interp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// offlineModules points the go command at the local module cache, so the
// test needs no network; it skips when the module is not cached.
func offlineModules(t *testing.T, module string) {
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

func TestThirdPartyImport(t *testing.T) {
	offlineModules(t, "github.com/pkg/errors/@v/v0.9.1.zip")
	s := newTestSession(t)
	out := &fakeOutput{}
	if _, err := s.Execute(context.Background(), "%go get github.com/pkg/errors@v0.9.1", out); err != nil {
		t.Fatalf("%%go get: %v\n%s", err, out)
	}
	b, err := s.Execute(context.Background(), "import \"github.com/pkg/errors\"\nerrors.Wrap(errors.New(\"inner\"), \"outer\").Error()", out)
	if err != nil || b == nil || b.Data["text/plain"] != "outer: inner" {
		t.Fatalf("import from source: %v, %v\n%s", b, err, out)
	}
	gomod, err := os.ReadFile(filepath.Join(s.mods.Dir(), "go.mod"))
	if err != nil || !strings.Contains(string(gomod), "github.com/pkg/errors v0.9.1") {
		t.Errorf("go.mod does not pin the module: %s %v", gomod, err)
	}
}

func TestThirdPartyAutomaticFetch(t *testing.T) {
	offlineModules(t, "github.com/pkg/errors/@v/v0.9.1.zip")
	s := newTestSession(t)
	out := &fakeOutput{}
	b, err := s.Execute(context.Background(), "import pkgerrors \"github.com/pkg/errors\"\npkgerrors.New(\"auto\").Error()", out)
	if err != nil || b == nil || b.Data["text/plain"] != "auto" {
		t.Fatalf("automatic fetch: %v, %v", b, err)
	}
	// A successful fetch shows no stderr (Jupyter draws it as an error).
	if strings.Contains(out.String(), "stderr:") {
		t.Errorf("a successful fetch wrote to stderr:\n%s", out)
	}
}

func TestThirdPartyUnknownModule(t *testing.T) {
	offlineModules(t, "github.com/pkg/errors/@v/v0.9.1.zip")
	s := newTestSession(t)
	_, err := s.Execute(context.Background(), "import \"example.invalid/nothing/here\"", &fakeOutput{})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "ImportError" || !strings.Contains(ce.Msg, "example.invalid/nothing/here") {
		t.Fatalf("err = %v", err)
	}
}

func TestThirdPartyCgoRefused(t *testing.T) {
	offlineModules(t, "github.com/go-zeromq/goczmq/v4/@v/v4.2.2.zip")
	s := newTestSession(t)
	_, err := s.Execute(context.Background(), "%go get github.com/go-zeromq/goczmq/v4@v4.2.2\nimport \"github.com/go-zeromq/goczmq/v4\"", &fakeOutput{})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "ImportError" || !strings.Contains(ce.Msg, "cgo") {
		t.Fatalf("err = %v", err)
	}
}
