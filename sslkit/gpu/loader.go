package gpu

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ebitengine/purego"
)

// The libraries, newest first. The driver's is versioned by its soname only.
var (
	cudaNames   = []string{"libcuda.so.1"}
	cublasNames = []string{"libcublas.so.13", "libcublas.so.12"}
	nvrtcNames  = []string{"libnvrtc.so.13", "libnvrtc.so.12"}
)

// EnvLibDir names the folders (':'-separated) searched first for the CUDA
// libraries, e.g. where a pip wheel keeps libcublas.so.13.
const EnvLibDir = "GOSSL_CUDA_LIB"

// minDriver is the oldest driver API version accepted (CUDA 12.0): the
// _v2 entry points and primary contexts used here are all older, but
// cuBLAS 12 and NVRTC 12 need it.
const minDriver = 12000

// searchOptions says where to look; the zero value searches only Dirs.
type searchOptions struct {
	Dirs   []string // searched first, in order
	System bool     // then LD_LIBRARY_PATH, ldconfig's cache, known folders, the loader
}

func defaultSearch() searchOptions {
	var dirs []string
	for _, d := range strings.Split(os.Getenv(EnvLibDir), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return searchOptions{Dirs: dirs, System: true}
}

// systemDirs lists the folders where drivers and toolkits keep their
// libraries: LD_LIBRARY_PATH, the driver's mounts of container runtimes,
// CUDA toolkits, the distribution's folders.
func systemDirs() []string {
	var dirs []string
	for _, d := range strings.Split(os.Getenv("LD_LIBRARY_PATH"), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	for _, env := range []string{"CUDA_HOME", "CUDA_PATH"} {
		if d := os.Getenv(env); d != "" {
			dirs = append(dirs, filepath.Join(d, "lib64"), filepath.Join(d, "lib"))
		}
	}
	dirs = append(dirs,
		"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib",
		"/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
		"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
		"/usr/local/lib")
	// CUDA 13 toolkits installed side by side: /usr/local/cuda-13.0/lib64 …
	if m, _ := filepath.Glob("/usr/local/cuda-1[23]*/lib64"); len(m) > 0 {
		dirs = append(dirs, m...)
	}
	return dirs
}

// ldconfigCache returns soname → path from `ldconfig -p`, or nil where
// there is no ldconfig (it reads /etc/ld.so.cache, whose format is private).
func ldconfigCache() map[string]string {
	var bin string
	for _, p := range []string{"/sbin/ldconfig", "/usr/sbin/ldconfig", "/sbin/ldconfig.real"} {
		if _, err := os.Stat(p); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-p").Output()
	if err != nil {
		return nil
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// "	libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1"
		line := strings.TrimSpace(sc.Text())
		name, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		_, path, ok := strings.Cut(rest, "=> ")
		if !ok || !strings.Contains(rest, "64") {
			continue
		}
		if _, seen := m[name]; !seen {
			m[name] = strings.TrimSpace(path)
		}
	}
	return m
}

// library is one loaded shared object.
type library struct {
	path   string // where it was found ("name (dynamic loader)" if by soname)
	handle uintptr
}

// findLibrary returns the first of names found in the search; the error
// says where it looked.
func findLibrary(names []string, o searchOptions) (*library, error) {
	dirs := append([]string(nil), o.Dirs...)
	var cache map[string]string
	if o.System {
		dirs = append(dirs, systemDirs()...)
		cache = ldconfigCache()
	}
	var searched []string
	seen := map[string]bool{}
	try := func(path string) (*library, error) {
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			return nil, fmt.Errorf("cannot load %s: %v", path, oneLine(err.Error()))
		}
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
		return &library{path: path, handle: h}, nil
	}
	for _, name := range names {
		for _, d := range dirs {
			if seen[d+"/"+name] {
				continue
			}
			seen[d+"/"+name] = true
			p := filepath.Join(d, name)
			if _, err := os.Stat(p); err == nil {
				return try(p)
			}
		}
		if p, ok := cache[name]; ok {
			return try(p)
		}
	}
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			searched = append(searched, d)
		}
	}
	if o.System {
		// Last resort: the dynamic loader's own search (its cache, RUNPATH).
		for _, name := range names {
			if h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL); err == nil {
				return &library{path: name + " (dynamic loader)", handle: h}, nil
			}
		}
		searched = append(searched, "ldconfig cache", "dynamic loader")
	}
	return nil, fmt.Errorf("%s not found (searched %s; set %s to its folder)",
		names[0], strings.Join(searched, ", "), EnvLibDir)
}

func (l *library) sym(name string) (uintptr, error) {
	p, err := purego.Dlsym(l.handle, name)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("%s has no %s", l.path, name)
	}
	return p, nil
}

// bind resolves each name into its pointer.
func (l *library) bind(syms map[string]*uintptr) error {
	for name, to := range syms {
		p, err := l.sym(name)
		if err != nil {
			return err
		}
		*to = p
	}
	return nil
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// checkDriverVersion rejects drivers older than CUDA 12.0, and drivers
// older than the NVRTC that would compile the kernels (a cubin built by
// NVRTC 13 does not load on a CUDA 12 driver). nvrtc is major*1000+minor*10
// as the driver writes it, 0 when not known yet.
func checkDriverVersion(driver, nvrtc int) error {
	if driver < minDriver {
		return fmt.Errorf("driver too old: it supports CUDA %s, sslkit/gpu needs CUDA %s or newer (update the NVIDIA driver)",
			cudaVersion(driver), cudaVersion(minDriver))
	}
	if nvrtc > 0 && nvrtc/1000 > driver/1000 {
		return fmt.Errorf("driver too old: it supports CUDA %s but libnvrtc is %s, whose kernels it cannot load (update the driver, or point %s at an NVRTC %d.x)",
			cudaVersion(driver), cudaVersion(nvrtc), EnvLibDir, driver/1000)
	}
	return nil
}

func cudaVersion(v int) string { return fmt.Sprintf("%d.%d", v/1000, (v%1000)/10) }
