package interp

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// Guards that keep a user's mistake from killing the kernel process, whose
// death would lose every variable of the notebook:
//
//   - Go's stack overflow is a fatal error that no recover sees, and yaegi
//     runs interpreted calls on the Go stack (~1 KB per call). Every
//     function a cell declares that calls other functions counts its depth
//     through enterCall and leaveCall (the rewriter adds the calls, see
//     depthGuard), and a
//     call past the limit panics with a StackDepthError long before the
//     runtime's 1 GB stack limit.
//   - Go's out-of-memory is fatal too. make with a length in a cell goes
//     through checkAlloc, which refuses a request that cannot fit under
//     the session's memory limit; a watcher samples the heap while a cell
//     runs (allocations of compiled code, append growth) and stops the
//     cell with a MemoryError when it passes the limit; debug.SetMemoryLimit
//     makes the collector work harder before that.
//
// What stays fatal: a single allocation by compiled code larger than the
// machine's free memory, deep recursion inside compiled code, a fatal
// error of the runtime itself (concurrent map writes) and signals such as
// SIGKILL from the kernel's OOM killer. The kernel's crash file (see
// package kernel) tells the next kernel about those.

// DefaultMaxCallDepth is how many nested calls of functions declared in
// cells are allowed (~1 KB of Go stack each) unless Options or
// GOSSL_MAX_DEPTH say otherwise.
const DefaultMaxCallDepth = 100000

// maxCallDepth is the depth limit; callDepth counts nested calls of cell
// functions in all goroutines together (a goroutine's own depth is not
// known to interpreted code), reset at every cell. Compiled calls cost
// less than counting in an interpreted global with an interpreted
// deferred decrement (~1.3x against ~1.8x on a call-bound fib).
var (
	maxCallDepth = DefaultMaxCallDepth
	callDepth    atomic.Int64
)

// enterCall counts a call and reports whether it is past the limit.
func enterCall() bool { return callDepth.Add(1) > int64(maxCallDepth) }

func leaveCall() { callDepth.Add(-1) }

// StackDepthError is the panic of a call past the depth limit.
type StackDepthError struct{ Limit int }

func (e *StackDepthError) Error() string {
	return fmt.Sprintf("stack depth limit reached: more than %d nested calls (infinite recursion?)", e.Limit)
}

// MemoryError is the panic of an allocation the memory limit refuses, and
// the error of a cell stopped by the memory watcher.
type MemoryError struct {
	Requested uint64 // bytes asked for; 0 when the watcher stopped the cell
	InUse     uint64 // bytes the process had in use
	Limit     uint64
}

func (e *MemoryError) Error() string {
	if e.Requested > 0 {
		return fmt.Sprintf("cannot allocate %s: %s in use, the session's memory limit is %s (GOSSL_MEMORY_LIMIT)",
			formatBytes(e.Requested), formatBytes(e.InUse), formatBytes(e.Limit))
	}
	return fmt.Sprintf("out of memory: the session used %s, over its limit of %s (GOSSL_MEMORY_LIMIT); the cell was stopped, and the variables it filled keep their memory until set to nil",
		formatBytes(e.InUse), formatBytes(e.Limit))
}

func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// tooDeep is called by a rewritten function past the depth limit, with its
// name and the position of its declaration. Panicking would unwind in
// quadratic time (yaegi recovers and panics again in every interpreted
// frame: minutes for 100,000 frames), so the goroutine ends with
// runtime.Goexit instead, which runs the deferred calls of every frame in
// linear time, after the cell is stopped with the error. The first calls
// past the limit only record where they are: the deepest frames of the
// chain, which the error shows.
func (s *Session) tooDeep(fn string, line, col int) {
	limit := maxCallDepth
	s.deep.mu.Lock()
	s.deep.frames = append(s.deep.frames, tracePos{line: line, col: col, fn: fn})
	n := len(s.deep.frames)
	if n < deepFramesShown {
		s.deep.mu.Unlock()
		return // let it go one call deeper
	}
	frames := s.deep.frames
	s.deep.frames = nil
	s.deep.mu.Unlock()
	e := &CellError{Name: "StackDepthError", Msg: (&StackDepthError{Limit: limit}).Error()}
	cell := ""
	if p := s.code.Load(); p != nil {
		cell = *p
	}
	// innermost first, as in a traceback
	slices.Reverse(frames)
	if cell != "" {
		e.at(cell, frames[0].line, frames[0].col)
	}
	for _, f := range frames[1:] {
		e.Frames = append(e.Frames, fmt.Sprintf("called from %s at line %d, column %d", f.fn, f.line, f.col))
	}
	e.Frames = append(e.Frames, fmt.Sprintf("... %d more calls ...", limit))
	if st := s.cellStop.Load(); st != nil {
		st.cancel(e)
	} else {
		s.late.mu.Lock()
		s.late.msgs = append(s.late.msgs, fmt.Sprintf("a goroutine started by an earlier cell stopped: %s\n", e.Error()))
		s.late.mu.Unlock()
	}
	runtime.Goexit()
}

// deepFramesShown is how many of the deepest calls a StackDepthError lists.
const deepFramesShown = 6

// memoryLimit is the session's ceiling in bytes (0: none).
var memoryLimit atomic.Uint64

// checkAlloc is what make(T, n) calls in a cell go through: zero is a nil
// value of T (its element size), n the length or capacity as written. It
// returns n as an int, or panics with a MemoryError when n elements cannot
// fit under the memory limit.
func checkAlloc(zero any, n any) int {
	length := reflect.ValueOf(n)
	var count uint64
	switch length.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v := length.Int()
		if v < 0 {
			return int(v) // make itself reports a negative length
		}
		count = uint64(v)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		count = length.Uint()
	case reflect.Float32, reflect.Float64: // an untyped constant like 1e6
		count = uint64(length.Float())
	default:
		panic(fmt.Sprintf("non-integer len argument in make: %T", n))
	}
	limit := memoryLimit.Load()
	if limit == 0 {
		return int(count)
	}
	elem := uint64(1)
	if t := reflect.TypeOf(zero); t != nil {
		switch t.Kind() {
		case reflect.Slice, reflect.Chan:
			elem = max(uint64(t.Elem().Size()), 1)
		case reflect.Map:
			elem = uint64(t.Key().Size()+t.Elem().Size()) + 8
		}
	}
	need := count * elem
	if count != 0 && need/count != elem {
		need = ^uint64(0) // overflow
	}
	if need < 1<<20 {
		return int(count)
	}
	inUse := memoryInUse()
	if need > limit || inUse+need > limit {
		runtime.GC()
		inUse = memoryInUse()
		if need > limit || inUse+need > limit {
			panic(&MemoryError{Requested: need, InUse: inUse, Limit: limit})
		}
	}
	return int(count)
}

var memSamples = []metrics.Sample{
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
}
var memSampleMu sync.Mutex

// memoryInUse is the Go runtime's memory that is neither returned to the
// OS nor free for reuse: what counts against the limit.
func memoryInUse() uint64 {
	memSampleMu.Lock()
	defer memSampleMu.Unlock()
	metrics.Read(memSamples)
	total := memSamples[0].Value.Uint64()
	released := memSamples[1].Value.Uint64()
	free := memSamples[2].Value.Uint64()
	if released+free > total {
		return 0
	}
	return total - released - free
}

// memoryWatch stops the running cell when the session passes its memory
// limit; stop is called at most once per start.
type memoryWatch struct {
	done chan struct{}
}

// watchMemory samples memory every interval until the returned watch is
// stopped, calling over once if the limit is passed. A session that
// already holds more than its limit when the cell starts (variables that
// an earlier cell filled until it was stopped) may still run cells that do
// not add much: what the cell adds is what stops it, with a headroom of a
// tenth of the limit over what it started with.
func watchMemory(interval time.Duration, over func(*MemoryError)) *memoryWatch {
	w := &memoryWatch{done: make(chan struct{})}
	limit := memoryLimit.Load()
	if limit == 0 {
		return w
	}
	ceiling := max(limit, memoryInUse()+limit/10)
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
			}
			if inUse := memoryInUse(); inUse > ceiling {
				runtime.GC() // garbage is not the user's fault
				if inUse = memoryInUse(); inUse > ceiling {
					over(&MemoryError{InUse: inUse, Limit: limit})
					return
				}
			}
		}
	}()
	return w
}

func (w *memoryWatch) stop() { close(w.done) }

// setMemoryLimit sets the session's ceiling and the runtime's soft limit
// a little under it, so the collector works harder before the cell is
// stopped.
func setMemoryLimit(limit uint64) {
	memoryLimit.Store(limit)
	if limit > 0 {
		debug.SetMemoryLimit(int64(limit / 10 * 9))
	}
}

// parseMemoryLimit reads GOSSL_MEMORY_LIMIT: "off" or "0" for none, a
// percentage of the machine's memory ("75%"), or a size ("8GiB", "512MB",
// "1073741824").
func parseMemoryLimit(s string, machine uint64) (uint64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "default":
		return machine / 4 * 3, nil
	case "off", "0", "none":
		return 0, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f <= 0 || f > 100 {
			return 0, fmt.Errorf("GOSSL_MEMORY_LIMIT=%q: want a percentage in (0, 100]", s)
		}
		return uint64(float64(machine) * f / 100), nil
	}
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}}
	mult := 1.0
	num := s
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("GOSSL_MEMORY_LIMIT=%q: want a size like 8GiB, a percentage like 75%%, or off", s)
	}
	return uint64(f * mult), nil
}

// machineMemory is the memory this process may use: the machine's, or its
// cgroup's limit when smaller.
func machineMemory() uint64 {
	var total uint64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fields := strings.Fields(rest)
				if len(fields) > 0 {
					kb, _ := strconv.ParseUint(fields[0], 10, 64)
					total = kb << 10
				}
				break
			}
		}
		f.Close()
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(p); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && (total == 0 || v < total) {
				total = v
			}
		}
	}
	return total
}

// panicKind names a panic of a cell and words it as Go's runtime would:
// yaegi runs interpreted code through reflect, whose messages
// ("reflect: call of reflect.Value.Field on zero Value") say nothing to a
// Go programmer.
func panicKind(v any) (name, msg string) {
	switch v := interfaceValue(v).(type) {
	case *StackDepthError:
		return "StackDepthError", v.Error()
	case *MemoryError:
		return "MemoryError", v.Error()
	case runtime.Error:
		return "panic", goRuntimeWording(v.Error())
	}
	return "panic", goRuntimeWording(panicMessage(v))
}

// interfaceValue is what an interpreted panic(x) meant: yaegi panics with
// the reflect.Value of x when x has an interface type.
func interfaceValue(v any) any {
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		return rv.Interface()
	}
	return v
}

const nilDeref = "runtime error: invalid memory address or nil pointer dereference"

func goRuntimeWording(msg string) string {
	switch {
	case strings.HasPrefix(msg, "reflect: call of reflect.Value.") && strings.HasSuffix(msg, " on zero Value"),
		strings.HasPrefix(msg, "reflect: call of reflect.Value.") && strings.Contains(msg, " on zero Value"),
		msg == "reflect.Value.Call: call of nil function",
		strings.HasPrefix(msg, "reflect: call of nil function"),
		msg == "reflect: indirection through nil pointer to embedded struct":
		return nilDeref
	case strings.HasPrefix(msg, "reflect: cannot convert slice with length "):
		return "runtime error: " + strings.TrimPrefix(msg, "reflect: ")
	case strings.HasPrefix(msg, "reflect.MakeSlice: negative len"), strings.HasPrefix(msg, "reflect.MakeSlice: len > cap"):
		return "runtime error: makeslice: len out of range"
	case strings.HasPrefix(msg, "reflect.MakeSlice: negative cap"):
		return "runtime error: makeslice: cap out of range"
	case msg == "reflect.MakeMapWithSize: negative size":
		return "runtime error: makemap: size out of range"
	case strings.HasPrefix(msg, "reflect: slice index out of range"), strings.HasPrefix(msg, "reflect: array index out of range"),
		strings.HasPrefix(msg, "reflect: string index out of range"):
		return "runtime error: index out of range"
	case strings.HasPrefix(msg, "reflect.Value.Slice: slice index out of bounds"),
		strings.HasPrefix(msg, "reflect.Value.Slice3: slice index out of bounds"):
		return "runtime error: slice bounds out of range"
	case msg == "reflect: send on closed channel" || msg == "send on closed channel":
		return "send on closed channel"
	case msg == "reflect: close of nil channel":
		return "close of nil channel"
	}
	return msg
}

// callFrames turns the interpreted frames a panic went through (innermost
// first) into traceback lines; a deep recursion shows its top frames and
// its bottom ones, with a count of those left out between.
func callFrames(frames []tracePos) []string {
	const top, bottom = 8, 3
	line := func(f tracePos) string {
		if f.fn == "" || f.fn == "main" {
			return fmt.Sprintf("called from the cell at line %d, column %d", f.line, f.col)
		}
		return fmt.Sprintf("called from %s at line %d, column %d", f.fn, f.line, f.col)
	}
	rest := frames[1:]
	var out []string
	if len(rest) <= top+bottom+1 {
		for _, f := range rest {
			out = append(out, line(f))
		}
		return out
	}
	for _, f := range rest[:top] {
		out = append(out, line(f))
	}
	out = append(out, fmt.Sprintf("... %d more calls ...", len(rest)-top-bottom))
	for _, f := range rest[len(rest)-bottom:] {
		out = append(out, line(f))
	}
	return out
}

// applyLimits sets the process-wide guards from opts and the environment.
func applyLimits(opts Options) error {
	switch {
	case opts.MemoryLimit < 0:
		setMemoryLimit(0)
	case opts.MemoryLimit > 0:
		setMemoryLimit(uint64(opts.MemoryLimit))
	default:
		limit, err := parseMemoryLimit(os.Getenv("GOSSL_MEMORY_LIMIT"), machineMemory())
		if err != nil {
			return err
		}
		setMemoryLimit(limit)
	}
	maxCallDepth = DefaultMaxCallDepth
	if opts.MaxCallDepth > 0 {
		maxCallDepth = opts.MaxCallDepth
	} else if v := os.Getenv("GOSSL_MAX_DEPTH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("GOSSL_MAX_DEPTH=%q: want a positive number of calls", v)
		}
		maxCallDepth = n
	}
	return nil
}

// resetDepth starts the count afresh for a cell: an interrupted cell or
// one stopped past the limit leaves calls that were never left.
func (s *Session) resetDepth() {
	callDepth.Store(0)
	s.deep.mu.Lock()
	s.deep.frames = nil
	s.deep.mu.Unlock()
}

// releaseRoots drops yaegi's list of every program it ever compiled
// (Interpreter.roots, read only by its debugger, which gossl does not use):
// it kept each cell's syntax tree alive, ~10 KB a cell, a leak over a long
// notebook. What cells define stays reachable through the scopes.
func releaseRoots(ip *yaegi.Interpreter) {
	if ip == nil {
		return
	}
	f := reflect.ValueOf(ip).Elem().FieldByName("roots")
	if !f.IsValid() || f.Kind() != reflect.Slice || !f.CanAddr() {
		return
	}
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	f.Set(reflect.Zero(f.Type()))
}
