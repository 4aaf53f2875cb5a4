package gpu

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

//go:embed kernels.cu
var kernelSource string

// kernelNames are the entry points of kernels.cu (extern "C").
var kernelNames = []string{
	"k_unary", "k_binary", "k_binary_flat", "k_reduce_rows", "k_reduce_rows_warp", "k_reduce_mid", "k_reduce_cols", "k_softmax", "k_softmax_grad",
	"k_im2col", "k_col2im", "k_bn_stats", "k_bn_apply", "k_bn_grad_stats", "k_bn_grad_apply",
	"k_maxpool", "k_maxpool_grad", "k_avgpool", "k_avgpool_grad", "k_sgd", "k_adam",
}

type nvrtcAPI struct {
	lib                                         *library
	version                                     int
	create, compileFn, destroy                  uintptr
	logSize, log, cubinSize, cubin, errorString uintptr
}

func loadNVRTC(o searchOptions) (*nvrtcAPI, error) {
	lib, err := findLibrary(nvrtcNames, o)
	if err != nil {
		return nil, err
	}
	n := &nvrtcAPI{lib: lib}
	var version uintptr
	if err := lib.bind(map[string]*uintptr{
		"nvrtcVersion": &version, "nvrtcCreateProgram": &n.create, "nvrtcCompileProgram": &n.compileFn,
		"nvrtcDestroyProgram": &n.destroy, "nvrtcGetProgramLogSize": &n.logSize, "nvrtcGetProgramLog": &n.log,
		"nvrtcGetCUBINSize": &n.cubinSize, "nvrtcGetCUBIN": &n.cubin, "nvrtcGetErrorString": &n.errorString,
	}); err != nil {
		return nil, err
	}
	var major, minor int32
	if r := callC(version, uintptr(unsafe.Pointer(&major)), uintptr(unsafe.Pointer(&minor))); r != 0 {
		return nil, fmt.Errorf("nvrtcVersion failed (%d) in %s", r, lib.path)
	}
	n.version = int(major)*1000 + int(minor)*10
	return n, nil
}

func (n *nvrtcAPI) check(what string, r int32) error {
	if r == 0 {
		return nil
	}
	r1, _, _ := purego.SyscallN(n.errorString, uintptr(r))
	return fmt.Errorf("gpu: %s: %s (nvrtcResult %d)", what, goString(r1), r)
}

// compile turns CUDA C into a cubin for sm_<arch>.
func (n *nvrtcAPI) compile(src, name string, opts []string) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var prog uintptr
	csrc, cname := cString(src), cString(name)
	if err := n.check("nvrtcCreateProgram", callC(n.create, uintptr(unsafe.Pointer(&prog)),
		uintptr(unsafe.Pointer(&csrc[0])), uintptr(unsafe.Pointer(&cname[0])), 0, 0, 0)); err != nil {
		return nil, err
	}
	defer callC(n.destroy, uintptr(unsafe.Pointer(&prog)))
	copts := make([][]byte, len(opts))
	ptrs := make([]uintptr, len(opts)+1)
	for i, o := range opts {
		copts[i] = cString(o)
		ptrs[i] = uintptr(unsafe.Pointer(&copts[i][0]))
	}
	r := callC(n.compileFn, prog, uintptr(len(opts)), uintptr(unsafe.Pointer(&ptrs[0])))
	runtime.KeepAlive(copts)
	runtime.KeepAlive(csrc)
	runtime.KeepAlive(cname)
	if r != 0 {
		var size uintptr
		callC(n.logSize, prog, uintptr(unsafe.Pointer(&size)))
		msg := ""
		if size > 1 {
			buf := make([]byte, size)
			callC(n.log, prog, uintptr(unsafe.Pointer(&buf[0])))
			msg = string(buf[:size-1])
		}
		return nil, fmt.Errorf("%w\n%s", n.check("nvrtcCompileProgram "+name, r), msg)
	}
	var size uintptr
	if err := n.check("nvrtcGetCUBINSize", callC(n.cubinSize, prog, uintptr(unsafe.Pointer(&size)))); err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, fmt.Errorf("gpu: NVRTC produced an empty cubin for %s", name)
	}
	out := make([]byte, size)
	if err := n.check("nvrtcGetCUBIN", callC(n.cubin, prog, uintptr(unsafe.Pointer(&out[0])))); err != nil {
		return nil, err
	}
	return out, nil
}

// cacheDir is where compiled kernels are kept between processes.
func cacheDir() string {
	if d := os.Getenv("GOSSL_CUDA_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gossl", "cuda")
	}
	return filepath.Join(os.TempDir(), "gossl-cuda")
}

// loadKernels compiles kernels.cu for this card (or reads the cubin that an
// earlier process compiled for the same source, card and NVRTC) and looks
// up every entry point.
func (d *Device) loadKernels() error {
	arch := fmt.Sprintf("sm_%d%d", d.Major, d.Minor)
	opts := []string{"--gpu-architecture=" + arch, "--std=c++17", "-default-device", "--fmad=true"}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%v\x00", kernelSource, d.NVRTCVersion, opts)
	key := hex.EncodeToString(h.Sum(nil))[:24]
	path := filepath.Join(cacheDir(), fmt.Sprintf("kernels-%s-%s.cubin", arch, key))
	cubin, err := os.ReadFile(path)
	if err != nil || len(cubin) == 0 {
		if cubin, err = d.rtc.compile(kernelSource, "sslkit_kernels.cu", opts); err != nil {
			return err
		}
		// The cache is an optimisation: a read-only home still works.
		if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
			tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
			if os.WriteFile(tmp, cubin, 0o644) == nil && os.Rename(tmp, path) == nil {
				d.KernelCache = path
			}
		}
	} else {
		d.KernelCache = path
	}
	var mod uintptr
	if err := d.drv.check("cuModuleLoadData", callC(d.drv.cuModuleLoadData, uintptr(unsafe.Pointer(&mod)), uintptr(unsafe.Pointer(&cubin[0])))); err != nil {
		return err
	}
	runtime.KeepAlive(cubin)
	for _, name := range kernelNames {
		var fn uintptr
		cn := cString(name)
		r := callC(d.drv.cuModuleGetFunction, uintptr(unsafe.Pointer(&fn)), mod, uintptr(unsafe.Pointer(&cn[0])))
		runtime.KeepAlive(cn)
		if err := d.drv.check("cuModuleGetFunction "+name, r); err != nil {
			return err
		}
		d.funcs[name] = fn
	}
	return nil
}
