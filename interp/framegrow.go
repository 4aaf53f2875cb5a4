package interp

import (
	"reflect"
	"sync"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// growFrame makes room in yaegi's global frame for the slots a compiled
// chunk added, before the chunk runs.
//
// yaegi (v0.16.1, resizeFrame) gives the global frame a new slice of
// exactly the slots in use whenever a chunk adds some: every cell copies
// the whole frame (24 bytes a slot, tens of thousands of slots in a long
// session) into a fresh allocation a little larger than the last one.
// Over a long session that churn of ever larger blocks, not the slots
// themselves, was most of the kernel's RSS growth (bench/README.md, Soak).
// Growing the slice with spare capacity first, the way append does, leaves
// resizeFrame nothing to do: it only acts when the frame is shorter than
// the slot types.
func growFrame(ip *yaegi.Interpreter) {
	defer func() {
		// a yaegi whose fields differ from v0.16.1's: resizeFrame does it
		_ = recover()
	}()
	v := reflect.ValueOf(ip).Elem()
	universe, frame := field(v, "universe"), field(v, "frame")
	if !universe.IsValid() || !frame.IsValid() || universe.IsNil() || frame.IsNil() {
		return
	}
	types, data := field(universe.Elem(), "types"), field(frame.Elem(), "data")
	mutex := field(frame.Elem(), "mutex")
	if !types.IsValid() || !data.IsValid() || !mutex.IsValid() {
		return
	}
	ts, ok := types.Interface().([]reflect.Type)
	if !ok {
		return
	}
	mu := (*sync.RWMutex)(unsafe.Pointer(mutex.UnsafeAddr()))
	mu.Lock()
	defer mu.Unlock()
	slots := data.Interface().([]reflect.Value)
	n, have := len(ts), len(slots)
	if n <= have {
		return
	}
	if n > cap(slots) {
		grown := make([]reflect.Value, have, max(n, 2*cap(slots)))
		copy(grown, slots)
		slots = grown
	}
	slots = slots[:n]
	for i := have; i < n; i++ {
		slots[i] = reflect.New(ts[i]).Elem()
	}
	data.Set(reflect.ValueOf(slots))
}
