package method

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unsafe"

	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// Clone returns a deep copy of m — the momentum teacher of MoCo, BYOL and
// DINO starts as one — whose every parameter and buffer is named
// prefix + its original name. The prefix matters: gorgonia merges input
// nodes of equal name and shape, so a teacher and a student that share
// names would share weights inside a graph.
//
// The copy is made by reflection and covers any module built from
// exported or unexported fields (structs, pointers, slices, maps,
// interfaces); tensors are copied, functions and channels are shared, and
// nothing of a gorgonia graph may be held by a module.
func Clone(m nn.Module, prefix string) (out nn.Module, err error) {
	if m == nil {
		return nil, fmt.Errorf("method.Clone: nil module")
	}
	if prefix == "" {
		return nil, fmt.Errorf("method.Clone: empty prefix (the copy's tensors would collide with the original's)")
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("method.Clone: %v", r)
		}
	}()
	c := &cloner{prefix: prefix, seen: map[ptrKey]reflect.Value{}}
	src := reflect.ValueOf(&m).Elem()
	dst := reflect.New(src.Type()).Elem()
	c.copy(dst, src)
	return dst.Interface().(nn.Module), nil
}

type ptrKey struct {
	p uintptr
	t reflect.Type
}

type cloner struct {
	prefix string
	seen   map[ptrKey]reflect.Value // keeps shared pointers shared in the copy
}

var (
	paramType  = reflect.TypeOf((*nn.Param)(nil))
	tensorType = reflect.TypeOf((*tensor.Dense)(nil))
)

// open makes a field settable even when unexported; v must be addressable.
func open(v reflect.Value) reflect.Value {
	if v.CanSet() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func (c *cloner) copy(dst, src reflect.Value) {
	dst, src = open(dst), open(src)
	switch src.Kind() {
	case reflect.Ptr:
		if src.IsNil() {
			return
		}
		key := ptrKey{src.Pointer(), src.Type()}
		if v, ok := c.seen[key]; ok {
			dst.Set(v)
			return
		}
		var nv reflect.Value
		switch {
		case src.Type() == paramType:
			p := src.Interface().(*nn.Param)
			nv = reflect.ValueOf(nn.NewParam(c.prefix+p.Name, c.tensor(p.Value)))
		case src.Type() == tensorType:
			nv = reflect.ValueOf(c.tensor(src.Interface().(*tensor.Dense)))
		case strings.HasPrefix(src.Type().Elem().PkgPath(), "gorgonia.org/gorgonia"):
			panic(fmt.Sprintf("a module holds a %v (graph state cannot be copied)", src.Type()))
		default:
			nv = reflect.New(src.Type().Elem())
			c.seen[key] = nv
			c.copy(nv.Elem(), src.Elem())
		}
		c.seen[key] = nv
		dst.Set(nv)
	case reflect.Struct:
		dst.Set(src) // scalars and unexported state such as a BatchNorm's mode
		for i := 0; i < src.NumField(); i++ {
			switch src.Field(i).Kind() {
			case reflect.Ptr, reflect.Struct, reflect.Slice, reflect.Map, reflect.Interface, reflect.Array:
				c.copy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		nv := reflect.MakeSlice(src.Type(), src.Len(), src.Cap())
		for i := 0; i < src.Len(); i++ {
			c.copy(nv.Index(i), src.Index(i))
		}
		dst.Set(nv)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			c.copy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		nv := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			val := reflect.New(src.Type().Elem()).Elem()
			tmp := reflect.New(src.Type().Elem()).Elem()
			tmp.Set(it.Value())
			c.copy(val, tmp)
			nv.SetMapIndex(it.Key(), val)
		}
		dst.Set(nv)
	case reflect.Interface:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		e := src.Elem()
		tmp := reflect.New(e.Type()).Elem()
		tmp.Set(e)
		val := reflect.New(e.Type()).Elem()
		c.copy(val, tmp)
		dst.Set(val)
	default:
		dst.Set(src)
	}
}

func (c *cloner) tensor(t *tensor.Dense) *tensor.Dense {
	if t == nil {
		return nil
	}
	key := ptrKey{reflect.ValueOf(t).Pointer(), tensorType}
	if v, ok := c.seen[key]; ok {
		return v.Interface().(*tensor.Dense)
	}
	nt := t.Clone().(*tensor.Dense)
	c.seen[key] = reflect.ValueOf(nt)
	return nt
}

// pairUp matches teacher and student tensors by position (a Clone keeps
// the order) and checks that their names agree up to the teacher's prefix
// and that their shapes agree.
func pairUp(teacher, student []*nn.Param) error {
	if len(teacher) != len(student) {
		return fmt.Errorf("method: teacher has %d tensors, student %d", len(teacher), len(student))
	}
	for i, t := range teacher {
		s := student[i]
		if !strings.HasSuffix(t.Name, s.Name) {
			return fmt.Errorf("method: teacher tensor %d is %q, student's %q (build the teacher with Clone)", i, t.Name, s.Name)
		}
		if !t.Value.Shape().Eq(s.Value.Shape()) {
			return fmt.Errorf("method: %s has shape %v in the teacher, %v in the student", s.Name, t.Value.Shape(), s.Value.Shape())
		}
	}
	return nil
}

// EMA moves a teacher's parameters towards its student's,
// θ_t ← m·θ_t + (1−m)·θ_s, as MoCo's key encoder, BYOL's target and DINO's
// teacher do after each step; buffers (BatchNorm statistics) are left to
// the teacher's own forward passes. The teacher must be a Clone of the
// student; 0 ≤ m ≤ 1.
func EMA(teacher, student nn.Module, m float64) error {
	if !(m >= 0 && m <= 1) {
		return fmt.Errorf("method.EMA: momentum %g outside [0, 1]", m)
	}
	tp, sp := teacher.Params(), student.Params()
	if err := pairUp(tp, sp); err != nil {
		return err
	}
	a, b := float32(m), float32(1-m)
	for i, p := range tp {
		t, s := p.Data(), sp[i].Data()
		for j := range t {
			t[j] = a*t[j] + b*s[j]
		}
	}
	return nil
}

// CosineMomentum is BYOL's teacher momentum at step of total: it rises
// from base at step 0 to 1 at the end, 1 − (1 − base)·(cos(π·step/total) + 1)/2.
func CosineMomentum(base float64, step, total int) float64 {
	if total <= 0 {
		return base
	}
	if step >= total {
		return 1
	}
	if step < 0 {
		step = 0
	}
	return 1 - (1-base)*(math.Cos(math.Pi*float64(step)/float64(total))+1)/2
}
