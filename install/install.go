package install

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// KernelName is the directory name of the kernelspec, the name users and
// notebooks refer to the kernel by.
const KernelName = "gossl"

// Where says where to install: the user's Jupyter data dir (the default),
// PREFIX/share/jupyter, or the sys.prefix of the Python that runs Jupyter.
type Where struct {
	Prefix    string
	SysPrefix bool
}

// Dir returns the kernelspec directory for w.
func (w Where) Dir() (string, error) {
	switch {
	case w.Prefix != "":
		abs, err := filepath.Abs(w.Prefix)
		if err != nil {
			return "", err
		}
		return filepath.Join(abs, "share", "jupyter", "kernels", KernelName), nil
	case w.SysPrefix:
		prefix, err := jupyterSysPrefix()
		if err != nil {
			return "", err
		}
		return filepath.Join(prefix, "share", "jupyter", "kernels", KernelName), nil
	default:
		data, err := UserDataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(data, "kernels", KernelName), nil
	}
}

// UserDataDir is Jupyter's per-user data directory, by jupyter_core's rules:
// JUPYTER_DATA_DIR, else the platform's default.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the Jupyter data dir: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if appdata := os.Getenv("APPDATA"); appdata != "" {
			return filepath.Join(appdata, "jupyter"), nil
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	}
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
		return filepath.Join(xdg, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// jupyterSysPrefix asks the Python behind the `jupyter` command (or python3)
// for its sys.prefix, the root of --sys-prefix installs.
func jupyterSysPrefix() (string, error) {
	python := "python3"
	if j, err := exec.LookPath("jupyter"); err == nil {
		if interp := shebangInterpreter(j); interp != "" {
			python = interp
		}
	}
	out, err := exec.Command(python, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("--sys-prefix: asking %s for sys.prefix: %w", python, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func shebangInterpreter(script string) string {
	f, err := os.Open(script)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		return fields[1]
	}
	return fields[0]
}

// Install writes the kernelspec from spec (kernel.json with {{GOSSL}} for
// the binary, and logos) into w's directory, pointing at binary.
func Install(spec fs.FS, binary string, w Where) (string, error) {
	binary, err := filepath.Abs(binary)
	if err != nil {
		return "", err
	}
	dir, err := w.Dir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	err = fs.WalkDir(spec, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(spec, path)
		if err != nil {
			return err
		}
		if path == "kernel.json" {
			quoted := strings.Trim(fmt.Sprintf("%q", binary), `"`)
			data = bytes.ReplaceAll(data, []byte("{{GOSSL}}"), []byte(quoted))
		}
		return os.WriteFile(filepath.Join(dir, path), data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("writing the kernelspec: %w", err)
	}
	return dir, nil
}

// Uninstall removes the kernelspec from w's directory.
func Uninstall(w Where) (string, error) {
	dir, err := w.Dir()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "kernel.json")); errors.Is(err, fs.ErrNotExist) {
		return dir, fmt.Errorf("no gossl kernelspec in %s", dir)
	}
	return dir, os.RemoveAll(dir)
}
