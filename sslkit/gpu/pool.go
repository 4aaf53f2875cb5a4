package gpu

import "math/bits"

// pool keeps freed device blocks by size class for reuse, since
// cuMemAlloc/cuMemFree synchronise the device and cost tens of
// microseconds. Classes are powers of two split in quarters (at most 25%
// waste), 256 bytes at the smallest (cudaMalloc's alignment).
type pool struct {
	dev   *Device
	free  map[int][]devPtr
	inUse map[devPtr]int // class of each block handed out
	bytes int            // held, in use or free
}

func newPool(d *Device) *pool {
	return &pool{dev: d, free: map[int][]devPtr{}, inUse: map[devPtr]int{}}
}

// sizeClass rounds bytes up to its class.
func sizeClass(bytesWanted int) int {
	if bytesWanted <= 256 {
		return 256
	}
	top := bits.Len(uint(bytesWanted - 1)) // 2^top ≥ bytes
	step := max(1<<(top-3), 256)           // quarters of 2^(top-1)
	return (bytesWanted + step - 1) / step * step
}

func (p *pool) get(bytesWanted int) (devPtr, error) {
	c := sizeClass(bytesWanted)
	if l := p.free[c]; len(l) > 0 {
		ptr := l[len(l)-1]
		p.free[c] = l[:len(l)-1]
		p.inUse[ptr] = c
		return ptr, nil
	}
	ptr, err := p.dev.malloc(c)
	if err != nil {
		// Out of memory: give back what is cached and try once more.
		p.trim()
		if ptr, err = p.dev.malloc(c); err != nil {
			return 0, err
		}
	}
	p.inUse[ptr] = c
	p.bytes += c
	return ptr, nil
}

func (p *pool) put(ptr devPtr) {
	c, ok := p.inUse[ptr]
	if !ok {
		return
	}
	delete(p.inUse, ptr)
	p.free[c] = append(p.free[c], ptr)
}

// trim frees every cached block.
func (p *pool) trim() {
	for c, l := range p.free {
		for _, ptr := range l {
			_ = p.dev.free(ptr)
			p.bytes -= c
		}
		delete(p.free, c)
	}
}
