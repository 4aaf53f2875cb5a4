package gpu

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingDriverSaysWhereItLooked(t *testing.T) {
	dir := t.TempDir()
	_, err := openWith(searchOptions{Dirs: []string{dir}})
	if err == nil {
		t.Fatal("opened a GPU from an empty folder")
	}
	msg := err.Error()
	if !strings.Contains(msg, "libcuda.so.1 not found") || !strings.Contains(msg, dir) || !strings.Contains(msg, EnvLibDir) {
		t.Errorf("reason %q should name the library, the folder searched and %s", msg, EnvLibDir)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("reason is not one line: %q", msg)
	}
	if !errors.Is(err, errGPU) {
		t.Errorf("error %v is not marked as a GPU error", err)
	}
}

func TestBrokenDriverFileIsReported(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "libcuda.so.1"), []byte("not an ELF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := openWith(searchOptions{Dirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "cannot load "+filepath.Join(dir, "libcuda.so.1")) {
		t.Fatalf("got %v, want a 'cannot load <path>' reason", err)
	}
}

// fakeDriver builds a libcuda.so.1 whose cuDriverGetVersion reports
// FAKE_CUDA_VERSION and which has no device, with the C compiler if there
// is one.
func fakeDriver(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler to build a fake libcuda.so.1")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "fake.c")
	code := `#include <stdlib.h>
int cuInit(unsigned f) { return 0; }
int cuDriverGetVersion(int *v) { const char *e = getenv("FAKE_CUDA_VERSION"); *v = e ? atoi(e) : 0; return 0; }
int cuDeviceGetCount(int *n) { *n = 0; return 0; }
`
	for _, s := range []string{"cuGetErrorName", "cuGetErrorString", "cuDeviceGet", "cuDeviceGetName",
		"cuDeviceGetAttribute", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuCtxSetCurrent",
		"cuCtxSynchronize", "cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2",
		"cuMemcpyDtoDAsync_v2", "cuMemsetD32Async", "cuStreamCreate", "cuStreamSynchronize", "cuStreamDestroy_v2",
		"cuModuleLoadData", "cuModuleGetFunction", "cuLaunchKernel"} {
		code += "int " + s + "(void) { return 999; }\n"
	}
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "libcuda.so.1")
	if out, err := exec.Command(cc, "-shared", "-fPIC", "-o", lib, src).CombinedOutput(); err != nil {
		t.Skipf("cannot build a fake libcuda.so.1: %v\n%s", err, out)
	}
	return dir
}

func TestOldDriverIsRejectedWithItsVersion(t *testing.T) {
	dir := fakeDriver(t)
	t.Setenv("FAKE_CUDA_VERSION", "11080")
	_, err := openWith(searchOptions{Dirs: []string{dir}})
	if err == nil {
		t.Fatal("a CUDA 11.8 driver was accepted")
	}
	msg := err.Error()
	for _, want := range []string{"driver too old", "CUDA 11.8", "12.0", filepath.Join(dir, "libcuda.so.1")} {
		if !strings.Contains(msg, want) {
			t.Errorf("reason %q lacks %q", msg, want)
		}
	}
}

func TestDriverWithoutDeviceIsReported(t *testing.T) {
	dir := fakeDriver(t)
	t.Setenv("FAKE_CUDA_VERSION", "13000")
	_, err := openWith(searchOptions{Dirs: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), "no CUDA device") {
		t.Fatalf("got %v, want 'no CUDA device'", err)
	}
}

func TestEnvironmentFolderIsSearchedFirst(t *testing.T) {
	dir := fakeDriver(t)
	t.Setenv(EnvLibDir, "/nonexistent:"+dir)
	t.Setenv("FAKE_CUDA_VERSION", "11020")
	_, err := openWith(defaultSearch())
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "libcuda.so.1")) {
		t.Fatalf("got %v, want the fake driver in %s to be found through %s", err, dir, EnvLibDir)
	}
}

func TestVersionCheck(t *testing.T) {
	for _, c := range []struct {
		driver, nvrtc int
		ok            bool
	}{
		{13000, 13000, true}, {13020, 13000, true}, {12080, 12040, true}, {12020, 0, true},
		{11080, 0, false}, {12080, 13000, false}, {10020, 11000, false},
	} {
		err := checkDriverVersion(c.driver, c.nvrtc)
		if (err == nil) != c.ok {
			t.Errorf("driver %d, nvrtc %d: got %v, want ok=%v", c.driver, c.nvrtc, err, c.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "driver too old: ") {
			t.Errorf("reason %q does not start 'driver too old: '", err)
		}
	}
}

func TestSizeClasses(t *testing.T) {
	prev := 0
	for b := 1; b < 1<<22; b = b*3/2 + 1 {
		c := sizeClass(b)
		if c < b || c < prev || c%256 != 0 {
			t.Fatalf("sizeClass(%d) = %d", b, c)
		}
		if b > 1024 && float64(c) > 1.25*float64(b)+1 {
			t.Fatalf("sizeClass(%d) = %d wastes more than 25%%", b, c)
		}
		prev = c
	}
}
