package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// elemType is one element type of the safetensors format and how it maps
// to a gorgonia tensor type. F16 and BF16 have no gorgonia counterpart:
// they are widened to float32 on reading (exactly) and never written.
type elemType struct {
	name  string // "F32", as the safetensors header spells it
	size  int    // bytes per element
	dtype tensor.Dtype
}

var elemTypes = []elemType{
	{"BOOL", 1, tensor.Bool},
	{"U8", 1, tensor.Uint8},
	{"I8", 1, tensor.Int8},
	{"I16", 2, tensor.Int16},
	{"U16", 2, tensor.Uint16},
	{"F16", 2, tensor.Float32},
	{"BF16", 2, tensor.Float32},
	{"I32", 4, tensor.Int32},
	{"U32", 4, tensor.Uint32},
	{"F32", 4, tensor.Float32},
	{"F64", 8, tensor.Float64},
	{"I64", 8, tensor.Int64},
	{"U64", 8, tensor.Uint64},
}

func elemTypeNamed(name string) (elemType, bool) {
	for _, e := range elemTypes {
		if e.name == name {
			return e, true
		}
	}
	return elemType{}, false
}

// elemTypeOf is the type a tensor of dtype dt is written as.
func elemTypeOf(dt tensor.Dtype) (elemType, bool) {
	for _, e := range elemTypes {
		if e.dtype == dt && e.name != "F16" && e.name != "BF16" {
			return e, true
		}
	}
	return elemType{}, false
}

// numElements is the product of shape (1 for a scalar), or an error when it
// overflows.
func numElements(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n *= d
	}
	return n, nil
}

// newDense builds a tensor of the given shape around backing (a typed
// slice whose length is the shape's element count). gorgonia's Dense cannot
// hold zero elements readably, so callers keep empty tensors out.
func newDense(shape []int, backing interface{}) *tensor.Dense {
	return tensor.New(tensor.WithShape(append([]int(nil), shape...)...), tensor.WithBacking(backing))
}

// decode turns little-endian bytes into a tensor of shape.
func decode(e elemType, shape []int, b []byte) *tensor.Dense {
	n := len(b) / e.size
	le := binary.LittleEndian
	var backing interface{}
	switch e.name {
	case "BOOL":
		v := make([]bool, n)
		for i := range v {
			v[i] = b[i] != 0
		}
		backing = v
	case "U8":
		backing = append([]uint8(nil), b...)
	case "I8":
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(b[i])
		}
		backing = v
	case "I16":
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(le.Uint16(b[2*i:]))
		}
		backing = v
	case "U16":
		v := make([]uint16, n)
		for i := range v {
			v[i] = le.Uint16(b[2*i:])
		}
		backing = v
	case "F16":
		v := make([]float32, n)
		for i := range v {
			v[i] = halfToFloat32(le.Uint16(b[2*i:]))
		}
		backing = v
	case "BF16":
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16)
		}
		backing = v
	case "I32":
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(le.Uint32(b[4*i:]))
		}
		backing = v
	case "U32":
		v := make([]uint32, n)
		for i := range v {
			v[i] = le.Uint32(b[4*i:])
		}
		backing = v
	case "F32":
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		backing = v
	case "F64":
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
		backing = v
	case "I64":
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(le.Uint64(b[8*i:]))
		}
		backing = v
	case "U64":
		v := make([]uint64, n)
		for i := range v {
			v[i] = le.Uint64(b[8*i:])
		}
		backing = v
	}
	return newDense(shape, backing)
}

// encode appends t's elements, little-endian, to dst. t's backing must
// hold n elements of type e (Dense.Data returns a bare value for scalars).
func encode(dst []byte, e elemType, data interface{}) ([]byte, error) {
	le := binary.LittleEndian
	switch v := data.(type) {
	case []bool:
		for _, x := range v {
			b := byte(0)
			if x {
				b = 1
			}
			dst = append(dst, b)
		}
	case bool:
		return encode(dst, e, []bool{v})
	case []uint8:
		dst = append(dst, v...)
	case uint8:
		dst = append(dst, v)
	case []int8:
		for _, x := range v {
			dst = append(dst, byte(x))
		}
	case int8:
		dst = append(dst, byte(v))
	case []int16:
		for _, x := range v {
			dst = le.AppendUint16(dst, uint16(x))
		}
	case int16:
		dst = le.AppendUint16(dst, uint16(v))
	case []uint16:
		for _, x := range v {
			dst = le.AppendUint16(dst, x)
		}
	case uint16:
		dst = le.AppendUint16(dst, v)
	case []int32:
		for _, x := range v {
			dst = le.AppendUint32(dst, uint32(x))
		}
	case int32:
		dst = le.AppendUint32(dst, uint32(v))
	case []uint32:
		for _, x := range v {
			dst = le.AppendUint32(dst, x)
		}
	case uint32:
		dst = le.AppendUint32(dst, v)
	case []float32:
		for _, x := range v {
			dst = le.AppendUint32(dst, math.Float32bits(x))
		}
	case float32:
		dst = le.AppendUint32(dst, math.Float32bits(v))
	case []float64:
		for _, x := range v {
			dst = le.AppendUint64(dst, math.Float64bits(x))
		}
	case float64:
		dst = le.AppendUint64(dst, math.Float64bits(v))
	case []int64:
		for _, x := range v {
			dst = le.AppendUint64(dst, uint64(x))
		}
	case int64:
		dst = le.AppendUint64(dst, uint64(v))
	case []uint64:
		for _, x := range v {
			dst = le.AppendUint64(dst, x)
		}
	case uint64:
		dst = le.AppendUint64(dst, v)
	default:
		return nil, fmt.Errorf("unsupported element type %T", data)
	}
	return dst, nil
}

// halfToFloat32 widens an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0: // ±0
		return math.Float32frombits(sign)
	}
	// subnormal: value = frac · 2^-24
	f := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		f = -f
	}
	return f
}

// toFloat32 converts a floating-point tensor of any precision into a new
// float32 slice; integer and boolean tensors are refused, since a weight
// stored as integers is a sign of the wrong file.
func toFloat32(t *tensor.Dense) ([]float32, error) {
	switch v := t.Data().(type) {
	case []float32:
		return append([]float32(nil), v...), nil
	case float32:
		return []float32{v}, nil
	case []float64:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, nil
	case float64:
		return []float32{float32(v)}, nil
	}
	return nil, fmt.Errorf("dtype %v is not floating point", t.Dtype())
}
