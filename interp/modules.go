package interp

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/gossl/gossl/interp/internal/symbols"
)

// Imports of third-party modules: the session side. The go command, the
// session's go.mod and the source yaegi reads are package
// internal/modules.

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
	if _, ok := s.mods.Name(p); ok {
		return nil
	}
	if !s.mods.Fetched(p) {
		// The go command reports progress ("go: downloading …", "go:
		// added …") on its stderr; shown as the cell's stderr it would
		// look like an error, so it goes to stdout. A failure still
		// becomes an ImportError with go's message.
		var w io.Writer
		if out := s.currentOutput(); out != nil {
			w = streamWriter{out, "stdout"}
		}
		if err := s.mods.Get(ctx, w, p); err != nil {
			return &CellError{Name: "ImportError", Msg: fmt.Sprintf("cannot fetch %s: %v", p, err)}
		}
	}
	if err := s.mods.Check(ctx, p); err != nil {
		return &CellError{Name: "ImportError", Msg: err.Error()}
	}
	return nil
}

// packageName is the name an import of p brings into scope by default.
func (s *Session) packageName(p string) string {
	if n, ok := s.mods.Name(p); ok {
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
