package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// values returns a tensor's elements as a slice (scalars included).
func values(t *tensor.Dense) interface{} {
	v := reflect.ValueOf(t.Data())
	if v.Kind() == reflect.Slice {
		return v.Interface()
	}
	s := reflect.MakeSlice(reflect.SliceOf(v.Type()), 1, 1)
	s.Index(0).Set(v)
	return s.Interface()
}

// A file written by an independent writer (testdata/torchref.py, from the
// format's specification) reads back with the right dtypes, shapes, values
// and metadata; half precision widens exactly.
func TestLoadReadsPythonWrittenFile(t *testing.T) {
	got, meta, err := Load("testdata/dtypes.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || meta["note"] != "torchref.py" {
		t.Errorf("metadata %v", meta)
	}
	// element i of each 2×3×4 tensor is i%7 - 3 (i%7 for uint8)
	wantDtype := map[string]tensor.Dtype{"f64": tensor.Float64, "f32": tensor.Float32, "f16": tensor.Float32,
		"bf16": tensor.Float32, "i64": tensor.Int64, "i32": tensor.Int32, "i16": tensor.Int16, "i8": tensor.Int8, "u8": tensor.Uint8}
	for name, dt := range wantDtype {
		x, ok := got[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if x.Dtype() != dt || !x.Shape().Eq(tensor.Shape{2, 3, 4}) {
			t.Errorf("%s: dtype %v shape %v, want %v (2, 3, 4)", name, x.Dtype(), x.Shape(), dt)
			continue
		}
		v := reflect.ValueOf(values(x))
		for i := 0; i < v.Len(); i++ {
			want := float64(i%7 - 3)
			if name == "u8" {
				want = float64(i % 7)
			}
			if f := reflect.ValueOf(v.Index(i).Interface()).Convert(reflect.TypeOf(0.0)).Float(); f != want {
				t.Errorf("%s[%d] = %v, want %v", name, i, f, want)
				break
			}
		}
	}
	if b := values(got["bool"]).([]bool); !reflect.DeepEqual(b, []bool{false, true, false, true, false, true}) {
		t.Errorf("bool = %v", b)
	}
	if s := got["scalar_i64"]; len(s.Shape()) != 0 || s.Data() != int64(7) {
		t.Errorf("scalar = %v (shape %v), want int64 7 of shape []", s.Data(), s.Shape())
	}
	// stored as F32, but the values are exact in half precision: check the
	// F32 path against Go's own constants
	want := []float32{0.5, -2.25, 65504, 6.103515625e-05, 5.960464477539063e-08, 1e-3}
	if v := values(got["f32_half_values"]).([]float32); !reflect.DeepEqual(v, want) {
		t.Errorf("f32 values %v, want %v", v, want)
	}
}

func TestHalfToFloat32(t *testing.T) {
	cases := map[uint16]float32{
		0x0000: 0, 0x3c00: 1, 0xc000: -2, 0x3800: 0.5, 0x7bff: 65504,
		0x0400: 6.103515625e-05,        // smallest normal
		0x0001: 5.960464477539063e-08,  // smallest subnormal
		0x03ff: 6.097555160522461e-05,  // largest subnormal
		0x8001: -5.960464477539063e-08, // negative subnormal
	}
	for h, want := range cases {
		if got := halfToFloat32(h); got != want {
			t.Errorf("half %#04x = %v, want %v", h, got, want)
		}
	}
	if !math.IsInf(float64(halfToFloat32(0x7c00)), 1) || !math.IsInf(float64(halfToFloat32(0xfc00)), -1) {
		t.Error("infinities")
	}
	if !math.IsNaN(float64(halfToFloat32(0x7e00))) {
		t.Error("NaN")
	}
	if math.Signbit(float64(halfToFloat32(0x8000))) != true {
		t.Error("-0 lost its sign")
	}
}

func sampleTensors() map[string]*tensor.Dense {
	base := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
	transposed := base.Clone().(*tensor.Dense)
	if err := transposed.T(); err != nil {
		panic(err)
	}
	return map[string]*tensor.Dense{
		"layer1.0.conv1.weight":   base,
		"bn1.num_batches_tracked": tensor.New(tensor.WithShape(), tensor.WithBacking([]int64{123456789012})),
		"scalar_from_value":       tensor.New(tensor.FromScalar(float64(2.5))),
		"double":                  tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{math.Pi, -1e300})),
		"ints":                    tensor.New(tensor.WithShape(3), tensor.WithBacking([]int32{-1, 0, 1 << 30})),
		"bytes":                   tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{0, 7, 255})),
		"flags":                   tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]bool{true, false, true})),
		"transposed":              transposed,
		"empty":                   tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(0, 3)),
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	in := sampleTensors()
	meta := map[string]string{"step": "1200", "note": "ünïcode ok"}
	if err := Save(path, in, meta); err != nil {
		t.Fatal(err)
	}
	out, gotMeta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotMeta, meta) {
		t.Errorf("metadata %v, want %v", gotMeta, meta)
	}
	if len(out) != len(in) {
		t.Errorf("%d tensors back, want %d", len(out), len(in))
	}
	for name, want := range in {
		got, ok := out[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if got.Dtype() != want.Dtype() || !reflect.DeepEqual(dims(got.Shape()), dims(want.Shape())) {
			t.Errorf("%s: %v %v, want %v %v", name, got.Dtype(), got.Shape(), want.Dtype(), want.Shape())
			continue
		}
		if name == "empty" {
			continue
		}
		w := want
		if w.IsMaterializable() {
			w = w.Materialize().(*tensor.Dense)
		}
		if !reflect.DeepEqual(values(got), values(w)) {
			t.Errorf("%s = %v, want %v", name, values(got), values(w))
		}
	}
	if got := values(out["transposed"]).([]float32); !reflect.DeepEqual(got, []float32{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}) {
		t.Errorf("transposed tensor written as %v, not in row-major order of its transposed shape", got)
	}

	// Layout promises of the format: an 8-byte-aligned data section, every
	// tensor aligned to its element size (readers may map it in place).
	raw, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header of %d bytes is not padded to 8", n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	for name, js := range header {
		if name == metadataKey {
			continue
		}
		var e headerEntry
		json.Unmarshal(js, &e)
		et, _ := elemTypeNamed(e.DType)
		if e.DataOffsets[0]%int64(et.size) != 0 {
			t.Errorf("%s (%s) starts at data byte %d", name, e.DType, e.DataOffsets[0])
		}
		if e.Shape == nil {
			t.Errorf("%s: shape written as null, want []", name)
		}
	}
}

func TestSaveIsDeterministicAndLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "b.safetensors")
	if err := Save(a, sampleTensors(), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if err := Save(b, sampleTensors(), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if !bytes.Equal(ra, rb) {
		t.Error("the same tensors gave two different files")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d files after two saves", len(entries))
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	good := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1}))
	cases := map[string]struct {
		tensors map[string]*tensor.Dense
		want    string
	}{
		"nil tensor":    {map[string]*tensor.Dense{"w": nil}, `"w" is nil`},
		"reserved name": {map[string]*tensor.Dense{metadataKey: good}, "reserved"},
		"empty name":    {map[string]*tensor.Dense{"": good}, "reserved"},
		"complex dtype": {map[string]*tensor.Dense{"z": tensor.New(tensor.WithShape(1), tensor.WithBacking([]complex64{1}))}, `"z" has dtype complex64`},
	}
	for name, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".safetensors")
		err := Save(path, c.tensors, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", name, err, path, c.want)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("%s: a file was left behind", name)
		}
	}
}

// writeRaw builds a safetensors file from a header object and data bytes.
func writeRaw(t *testing.T, header string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadErrorsNameTheFault(t *testing.T) {
	eight := make([]byte, 8)
	cases := map[string]struct {
		header string
		data   []byte
		want   string
	}{
		"not json":           {"PK\x03\x04garbage", nil, "not a JSON object"},
		"json array":         {"[1, 2]", nil, "not a JSON object"},
		"broken json":        {`{"w": {"dtype": "F32", `, nil, "header"},
		"unknown dtype":      {`{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, []byte{1, 2}, `"w" has dtype "F8_E4M3"`},
		"offsets vs shape":   {`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight, `"w" (F32, shape [3]) needs 12 bytes`},
		"negative dim":       {`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, eight, `"w"`},
		"reversed offsets":   {`{"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}`, eight, `"w" has data_offsets [8 0]`},
		"overlap":            {`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight, `"b" (data bytes 4-8) overlaps`},
		"gap":                {`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight, `4 unused bytes before tensor "a"`},
		"trailing bytes":     {`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight, "4 bytes after the last tensor"},
		"duplicate name":     {`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight, `"a" appears twice`},
		"extra field":        {`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, eight[:4], `tensor "a"`},
		"metadata not str":   {`{"__metadata__":{"epoch":3}}`, nil, "__metadata__ must map strings to strings"},
		"truncated data":     {`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, eight, `truncated: tensor "a" ends at byte`},
		"three offsets":      {`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, eight, `"a" has data_offsets [0 4 8]`},
		"junk after header":  {`{} x`, nil, "data after the JSON object"},
		"huge element count": {`{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, eight, `"a"`},
	}
	for name, c := range cases {
		path := writeRaw(t, c.header, c.data)
		_, _, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v\n  want one naming the file and containing %q", name, err, c.want)
		}
	}
}

// Every prefix of a valid file is an error naming the file; none panics
// or reads as a smaller valid file.
func TestLoadTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.safetensors")
	if err := Save(full, sampleTensors(), map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(full)
	cut := filepath.Join(dir, "cut.safetensors")
	for n := 0; n < len(raw); n++ {
		os.WriteFile(cut, raw[:n], 0o644)
		_, _, err := Load(cut)
		if err == nil {
			t.Fatalf("file cut to %d of %d bytes loaded without error", n, len(raw))
		}
		if !strings.Contains(err.Error(), cut) {
			t.Fatalf("cut to %d bytes: error %q does not name the file", n, err)
		}
	}
	os.WriteFile(cut, raw[:len(raw)-3], 0o644)
	if _, _, err := Load(cut); !strings.Contains(err.Error(), "truncated") {
		t.Errorf("data cut short: %v, want it called truncated", err)
	}
	os.WriteFile(cut, raw[:100], 0o644)
	if _, _, err := Load(cut); !strings.Contains(err.Error(), "truncated") {
		t.Errorf("header cut short: %v, want it called truncated", err)
	}
	if _, _, err := Load(filepath.Join(dir, "absent.safetensors")); err == nil || !os.IsNotExist(errorsUnwrapAll(err)) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("absent file: %v", err)
	}
}

func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// The header parser never panics, whatever the bytes.
func FuzzReadHeader(f *testing.F) {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(55))
	b.WriteString(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)
	b.Write([]byte{0, 0, 128, 63})
	f.Add(b.Bytes())
	f.Add([]byte{})
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		entries, _, start, err := readHeader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.end > int64(len(raw))-start {
				t.Fatalf("entry %q ends past the file", e.name)
			}
			if e.end > e.begin {
				decode(e.e, e.shape, raw[start+e.begin:start+e.end])
			}
		}
	})
}
