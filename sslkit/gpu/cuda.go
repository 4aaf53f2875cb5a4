package gpu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Driver API constants (cuda.h).
const (
	cuAttrComputeMajor = 75 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	cuAttrComputeMinor = 76 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
	cuAttrSMCount      = 16 // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
	cuStreamNonBlock   = 1  // CU_STREAM_NON_BLOCKING
)

// driverAPI holds the entry points of libcuda.so.1. The names are the ones
// the driver exports: cuda.h maps cuMemAlloc to cuMemAlloc_v2 and so on by
// macros, which a dlsym caller must apply itself.
type driverAPI struct {
	lib                                        *library
	cuInit, cuDriverGetVersion, cuGetErrorName uintptr
	cuGetErrorString                           uintptr
	cuDeviceGetCount, cuDeviceGet              uintptr
	cuDeviceGetName, cuDeviceGetAttribute      uintptr
	cuDeviceTotalMem                           uintptr // cuDeviceTotalMem_v2
	cuDevicePrimaryCtxRetain, cuCtxSetCurrent  uintptr
	cuCtxSynchronize                           uintptr
	cuMemAlloc, cuMemFree                      uintptr // _v2
	cuMemcpyHtoDAsync, cuMemcpyDtoHAsync       uintptr // _v2
	cuMemcpyDtoDAsync                          uintptr // _v2
	cuMemsetD32Async                           uintptr
	cuStreamCreate, cuStreamSynchronize        uintptr
	cuStreamDestroy                            uintptr // _v2
	cuModuleLoadData, cuModuleGetFunction      uintptr
	cuLaunchKernel                             uintptr
}

func loadDriver(o searchOptions) (*driverAPI, error) {
	lib, err := findLibrary(cudaNames, o)
	if err != nil {
		return nil, err
	}
	d := &driverAPI{lib: lib}
	// The version entry points first, so that an old driver is reported as
	// old rather than as missing a newer symbol.
	if err := lib.bind(map[string]*uintptr{
		"cuInit": &d.cuInit, "cuDriverGetVersion": &d.cuDriverGetVersion,
	}); err != nil {
		return nil, err
	}
	var v int32
	if r := callC(d.cuDriverGetVersion, uintptr(unsafe.Pointer(&v))); r != 0 {
		return nil, fmt.Errorf("cuDriverGetVersion failed (CUresult %d) in %s", r, lib.path)
	}
	if err := checkDriverVersion(int(v), 0); err != nil {
		return nil, fmt.Errorf("%w [%s]", err, lib.path)
	}
	if err := lib.bind(map[string]*uintptr{
		"cuGetErrorName": &d.cuGetErrorName, "cuGetErrorString": &d.cuGetErrorString,
		"cuDeviceGetCount": &d.cuDeviceGetCount, "cuDeviceGet": &d.cuDeviceGet,
		"cuDeviceGetName": &d.cuDeviceGetName, "cuDeviceGetAttribute": &d.cuDeviceGetAttribute,
		"cuDeviceTotalMem_v2":      &d.cuDeviceTotalMem,
		"cuDevicePrimaryCtxRetain": &d.cuDevicePrimaryCtxRetain, "cuCtxSetCurrent": &d.cuCtxSetCurrent,
		"cuCtxSynchronize": &d.cuCtxSynchronize,
		"cuMemAlloc_v2":    &d.cuMemAlloc, "cuMemFree_v2": &d.cuMemFree,
		"cuMemcpyHtoDAsync_v2": &d.cuMemcpyHtoDAsync, "cuMemcpyDtoHAsync_v2": &d.cuMemcpyDtoHAsync,
		"cuMemcpyDtoDAsync_v2": &d.cuMemcpyDtoDAsync, "cuMemsetD32Async": &d.cuMemsetD32Async,
		"cuStreamCreate": &d.cuStreamCreate, "cuStreamSynchronize": &d.cuStreamSynchronize,
		"cuStreamDestroy_v2": &d.cuStreamDestroy,
		"cuModuleLoadData":   &d.cuModuleLoadData, "cuModuleGetFunction": &d.cuModuleGetFunction,
		"cuLaunchKernel": &d.cuLaunchKernel,
	}); err != nil {
		return nil, err
	}
	return d, nil
}

// callC calls a C function returning a 32-bit status (CUresult,
// nvrtcResult, cublasStatus_t).
func callC(fn uintptr, args ...uintptr) int32 {
	r, _, _ := purego.SyscallN(fn, args...)
	return int32(uint32(r))
}

func (d *driverAPI) check(what string, r int32) error {
	if r == 0 {
		return nil
	}
	name, desc := fmt.Sprintf("CUresult %d", r), ""
	var p uintptr
	if d.cuGetErrorName != 0 && callC(d.cuGetErrorName, uintptr(r), uintptr(unsafe.Pointer(&p))) == 0 {
		name = goString(p)
	}
	if d.cuGetErrorString != 0 && callC(d.cuGetErrorString, uintptr(r), uintptr(unsafe.Pointer(&p))) == 0 {
		desc = ": " + goString(p)
	}
	return fmt.Errorf("gpu: %s: %s%s", what, name, desc)
}

// goString copies a NUL-terminated C string.
func goString(p uintptr) string {
	if p == 0 {
		return ""
	}
	var b []byte
	for i := uintptr(0); i < 4096; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(nil), p+i)) //nolint:govet // C memory owned by the library
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

func cString(s string) []byte { return append([]byte(s), 0) }

// Device is one CUDA device with its primary context, one stream, a cuBLAS
// handle and the compiled kernels. Its methods may be called from any
// goroutine, one at a time (a mutex orders them): each pins its OS thread
// and makes the context current, since the driver's current context is per
// thread and Go moves goroutines between threads.
type Device struct {
	Name          string
	Major, Minor  int // compute capability
	SMs           int
	TotalMem      uint64
	DriverVersion int    // e.g. 13000
	NVRTCVersion  int    // e.g. 13000
	LibCUDA       string // where each library was found
	LibCUBLAS     string
	LibNVRTC      string
	KernelCache   string // the cubin's file, or "" if it could not be cached

	mu     sync.Mutex
	drv    *driverAPI
	blas   *cublasAPI
	rtc    *nvrtcAPI
	ctx    uintptr
	stream uintptr
	handle uintptr // cublasHandle_t
	funcs  map[string]uintptr
	pool   *pool
	params paramBuf
	// hold keeps the Go slice of an async copy referenced from the heap:
	// storing it here makes the compiler heap-allocate callers' slices, so
	// a goroutine stack that grows between the copy and the stream's
	// synchronisation cannot move the memory the device is reading.
	hold []float32
}

// enter pins the goroutine to its thread and makes the context current;
// the returned func undoes both.
func (d *Device) enter() (func(), error) {
	d.mu.Lock()
	runtime.LockOSThread()
	if r := callC(d.drv.cuCtxSetCurrent, d.ctx); r != 0 {
		runtime.UnlockOSThread()
		d.mu.Unlock()
		return nil, d.drv.check("cuCtxSetCurrent", r)
	}
	return func() { runtime.UnlockOSThread(); d.mu.Unlock() }, nil
}

var (
	openOnce   sync.Once
	openDevice *Device
	openErr    error
)

// Open loads the CUDA libraries and opens device 0, once per process; later
// calls return the same result. Its error is one line saying why no GPU is
// usable.
func Open() (*Device, error) {
	openOnce.Do(func() { openDevice, openErr = openWith(defaultSearch()) })
	return openDevice, openErr
}

func openWith(o searchOptions) (dev *Device, err error) {
	defer func() {
		if err != nil && !errors.Is(err, errGPU) {
			err = fmt.Errorf("%w: %v", errGPU, err)
		}
	}()
	drv, err := loadDriver(o)
	if err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if r := callC(drv.cuInit, 0); r != 0 {
		return nil, drv.check("cuInit (is the NVIDIA kernel module loaded and /dev/nvidia* visible?)", r)
	}
	var count int32
	if err := drv.check("cuDeviceGetCount", callC(drv.cuDeviceGetCount, uintptr(unsafe.Pointer(&count)))); err != nil {
		return nil, err
	}
	if count < 1 {
		return nil, fmt.Errorf("no CUDA device (driver %s at %s)", drv.lib.path, drv.lib.path)
	}
	var cudev int32
	if err := drv.check("cuDeviceGet", callC(drv.cuDeviceGet, uintptr(unsafe.Pointer(&cudev)), 0)); err != nil {
		return nil, err
	}
	d := &Device{drv: drv, LibCUDA: drv.lib.path, funcs: map[string]uintptr{}}
	var v int32
	callC(drv.cuDriverGetVersion, uintptr(unsafe.Pointer(&v)))
	d.DriverVersion = int(v)
	name := make([]byte, 256)
	if callC(drv.cuDeviceGetName, uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)), uintptr(cudev)) == 0 {
		d.Name = goString(uintptr(unsafe.Pointer(&name[0])))
	}
	runtime.KeepAlive(name)
	attr := func(a int) int {
		var x int32
		callC(drv.cuDeviceGetAttribute, uintptr(unsafe.Pointer(&x)), uintptr(a), uintptr(cudev))
		return int(x)
	}
	d.Major, d.Minor, d.SMs = attr(cuAttrComputeMajor), attr(cuAttrComputeMinor), attr(cuAttrSMCount)
	var total uint64
	callC(drv.cuDeviceTotalMem, uintptr(unsafe.Pointer(&total)), uintptr(cudev))
	d.TotalMem = total
	if err := drv.check("cuDevicePrimaryCtxRetain", callC(drv.cuDevicePrimaryCtxRetain, uintptr(unsafe.Pointer(&d.ctx)), uintptr(cudev))); err != nil {
		return nil, err
	}
	if err := drv.check("cuCtxSetCurrent", callC(drv.cuCtxSetCurrent, d.ctx)); err != nil {
		return nil, err
	}
	if err := drv.check("cuStreamCreate", callC(drv.cuStreamCreate, uintptr(unsafe.Pointer(&d.stream)), cuStreamNonBlock)); err != nil {
		return nil, err
	}
	if d.rtc, err = loadNVRTC(o); err != nil {
		return nil, err
	}
	d.LibNVRTC, d.NVRTCVersion = d.rtc.lib.path, d.rtc.version
	if err := checkDriverVersion(d.DriverVersion, d.NVRTCVersion); err != nil {
		return nil, err
	}
	if d.blas, err = loadCUBLAS(o); err != nil {
		return nil, err
	}
	d.LibCUBLAS = d.blas.lib.path
	if err := d.blas.check("cublasCreate_v2", callC(d.blas.create, uintptr(unsafe.Pointer(&d.handle)))); err != nil {
		return nil, err
	}
	if err := d.blas.check("cublasSetStream_v2", callC(d.blas.setStream, d.handle, d.stream)); err != nil {
		return nil, err
	}
	if err := d.loadKernels(); err != nil {
		return nil, err
	}
	d.pool = newPool(d)
	return d, nil
}

// errGPU marks every error of Open, so callers can tell "no GPU" apart.
var errGPU = errors.New("gpu")

// String describes the device and where its libraries came from.
func (d *Device) String() string {
	return fmt.Sprintf("%s (sm_%d%d, %d SMs, %.0f GiB; driver CUDA %s at %s; cuBLAS at %s; NVRTC %s at %s)",
		d.Name, d.Major, d.Minor, d.SMs, float64(d.TotalMem)/(1<<30), cudaVersion(d.DriverVersion), d.LibCUDA,
		d.LibCUBLAS, cudaVersion(d.NVRTCVersion), d.LibNVRTC)
}

// devPtr is a device address (CUdeviceptr).
type devPtr = uintptr

func (d *Device) malloc(bytes int) (devPtr, error) {
	var p devPtr
	if err := d.drv.check(fmt.Sprintf("cuMemAlloc_v2(%d bytes)", bytes), callC(d.drv.cuMemAlloc, uintptr(unsafe.Pointer(&p)), uintptr(bytes))); err != nil {
		return 0, err
	}
	return p, nil
}

func (d *Device) free(p devPtr) error { return d.drv.check("cuMemFree_v2", callC(d.drv.cuMemFree, p)) }

// upload copies host floats to the device and waits, so src may be reused
// at once (and the Go memory is only read during the call).
func (d *Device) upload(dst devPtr, src []float32) error {
	if len(src) == 0 {
		return nil
	}
	d.hold = src
	defer func() { d.hold = nil }()
	if err := d.drv.check("cuMemcpyHtoDAsync_v2", callC(d.drv.cuMemcpyHtoDAsync, dst, uintptr(unsafe.Pointer(&src[0])), uintptr(4*len(src)), d.stream)); err != nil {
		return err
	}
	err := d.drv.check("cuStreamSynchronize", callC(d.drv.cuStreamSynchronize, d.stream))
	runtime.KeepAlive(src)
	return err
}

func (d *Device) download(dst []float32, src devPtr) error {
	if len(dst) == 0 {
		return nil
	}
	d.hold = dst
	defer func() { d.hold = nil }()
	if err := d.drv.check("cuMemcpyDtoHAsync_v2", callC(d.drv.cuMemcpyDtoHAsync, uintptr(unsafe.Pointer(&dst[0])), src, uintptr(4*len(dst)), d.stream)); err != nil {
		return err
	}
	err := d.drv.check("cuStreamSynchronize", callC(d.drv.cuStreamSynchronize, d.stream))
	runtime.KeepAlive(dst)
	return err
}

func (d *Device) copyD2D(dst, src devPtr, n int) error {
	if n == 0 {
		return nil
	}
	return d.drv.check("cuMemcpyDtoDAsync_v2", callC(d.drv.cuMemcpyDtoDAsync, dst, src, uintptr(4*n), d.stream))
}

func (d *Device) fill(dst devPtr, v float32, n int) error {
	if n == 0 {
		return nil
	}
	return d.drv.check("cuMemsetD32Async", callC(d.drv.cuMemsetD32Async, dst, uintptr(math.Float32bits(v)), uintptr(n), d.stream))
}

func (d *Device) sync() error {
	return d.drv.check("cuStreamSynchronize", callC(d.drv.cuStreamSynchronize, d.stream))
}

// paramBuf packs kernel arguments for cuLaunchKernel, which takes an array
// of pointers to each argument's bytes. It lives in the Device (on the
// heap, which Go does not move) and is reused under the Device's mutex.
type paramBuf struct {
	data [1024]byte
	ptrs [32]uintptr
	off  int
	n    int
}

func (p *paramBuf) reset() { p.off, p.n = 0, 0 }

func (p *paramBuf) add(b []byte, align int) {
	p.off = (p.off + align - 1) &^ (align - 1)
	copy(p.data[p.off:], b)
	p.ptrs[p.n] = uintptr(unsafe.Pointer(&p.data[p.off]))
	p.off += len(b)
	p.n++
}

// kernel arguments: ptr (a device address), i32, f32, and ints (a struct
// of int32 fields, passed by value).
type (
	ptrArg  devPtr
	i32Arg  int32
	f32Arg  float32
	intsArg []int32
)

// launch runs the named kernel on the stream with a 1-D grid.
func (d *Device) launch(name string, grid, block, shared int, args ...any) error {
	fn, ok := d.funcs[name]
	if !ok {
		return fmt.Errorf("gpu: kernel %s not compiled", name)
	}
	if grid < 1 {
		return nil
	}
	p := &d.params
	p.reset()
	var b [8]byte
	for _, a := range args {
		switch v := a.(type) {
		case ptrArg:
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			p.add(b[:8], 8)
		case i32Arg:
			binary.LittleEndian.PutUint32(b[:], uint32(v))
			p.add(b[:4], 4)
		case f32Arg:
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(v)))
			p.add(b[:4], 4)
		case intsArg:
			raw := make([]byte, 4*len(v))
			for i, x := range v {
				binary.LittleEndian.PutUint32(raw[4*i:], uint32(x))
			}
			p.add(raw, 4)
		default:
			return fmt.Errorf("gpu: kernel %s: argument of type %T", name, a)
		}
	}
	r := callC(d.drv.cuLaunchKernel, fn, uintptr(grid), 1, 1, uintptr(block), 1, 1, uintptr(shared), d.stream,
		uintptr(unsafe.Pointer(&p.ptrs[0])), 0)
	runtime.KeepAlive(p)
	return d.drv.check("cuLaunchKernel "+name, r)
}
