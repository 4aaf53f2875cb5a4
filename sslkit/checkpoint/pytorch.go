package checkpoint

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
	"gorgonia.org/tensor"
)

// PyTorch's torch.save writes a pickle whose tensors refer, through
// "persistent ids", to storages kept outside it: records data/<key> of a
// zip archive (PyTorch ≥ 1.6), or, in the legacy format, raw blocks after
// the pickle. gopickle (github.com/nlpodyssey/gopickle) runs the pickle
// machine, on pickles that scanPickle has checked first; the file layers
// are done here rather than by gopickle's pytorch package, whose v0.2.0
// reads storages with unchecked short reads (a truncated legacy file loads
// with stale bytes), panics on some legacy files, and fails on any class
// it does not know (a Lightning checkpoint's hyper-parameters).

// wrapperKeys are the entries under which training scripts nest the model's
// state dict: Lightning and solo-learn ("state_dict"), torchvision's
// reference scripts and many others ("model"), and a few more. LoadPyTorch
// descends through them, in this order of preference.
var wrapperKeys = []string{"state_dict", "model_state_dict", "model", "state"}

// maxNesting bounds the descent through nested dicts; pickles can be
// cyclic.
const maxNesting = 16

// LoadPyTorch reads the tensors of a file written by torch.save: the zip
// format of PyTorch ≥ 1.6 and the older pickle format (written by
// _use_new_zipfile_serialization=False), not the tar format of
// PyTorch < 0.4 nor TorchScript archives.
//
// When the file holds a dict with a "state_dict", "model_state_dict",
// "model" or "state" entry that is itself a dict, LoadPyTorch descends into
// it (repeatedly), so Lightning/solo-learn checkpoints and {"model": …,
// "optimizer": …, "epoch": …} bundles give the model's tensors. Nested
// dicts are flattened with dotted names ({"student": {"fc.weight": …}}
// gives "student.fc.weight"); entries that are neither tensors nor dicts
// (numbers, lists, argparse namespaces) are skipped. Names keep any
// "module."/"backbone." prefix; LoadOptions.StripPrefix removes it when
// loading into a model.
//
// Tensors keep their dtype (int64 for num_batches_tracked, float64, …),
// except float16 and bfloat16, which are widened exactly to float32.
// Strided and offset views (tensors sharing a storage) come out as
// row-major copies.
func LoadPyTorch(path string) (tensors map[string]*tensor.Dense, err error) {
	defer func() {
		// gopickle may panic on malformed pickles; a bad file must not
		// kill a notebook.
		if r := recover(); r != nil {
			tensors, err = nil, fmt.Errorf("checkpoint: %s: corrupt pickle: %v", path, r)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	var obj interface{}
	switch {
	case n == 0:
		return nil, fmt.Errorf("checkpoint: %s is empty", path)
	case n >= 2 && string(head[:2]) == "PK":
		obj, err = loadTorchZip(f, st.Size())
	case head[0] == 0x80: // the pickle PROTO opcode: legacy format
		obj, err = loadTorchLegacy(f)
	case isTar(f):
		return nil, fmt.Errorf("checkpoint: %s is in the tar format of PyTorch < 0.4, which is not supported: re-save it with a current PyTorch", path)
	default:
		return nil, fmt.Errorf("checkpoint: %s is neither a zip archive nor a pickle (first bytes % x): not a file written by torch.save", path, head[:n])
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %v", path, err)
	}

	root := obj
	for descended := true; descended; {
		descended = false
		for _, key := range wrapperKeys {
			if v, ok := dictGet(root, key); ok && isDict(v) {
				root, descended = v, true
				break
			}
		}
	}
	switch r := root.(type) {
	case *torchTensor:
		return nil, fmt.Errorf("checkpoint: %s holds a single tensor, not a state dict", path)
	case *opaqueObject:
		return nil, fmt.Errorf("checkpoint: %s holds a pickled %s object, not a state dict: in PyTorch, save model.state_dict() instead of the model", path, r.class)
	}
	if !isDict(root) {
		return nil, fmt.Errorf("checkpoint: %s holds a %s, not a state dict", path, pythonType(root))
	}
	out := map[string]*tensor.Dense{}
	if err := flatten(root, "", out, 0); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("checkpoint: %s holds no tensors (top-level keys: %s)", path, strings.Join(dictKeys(obj), ", "))
	}
	return out, nil
}

func isTar(f *os.File) bool {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	_, err := tar.NewReader(f).Next()
	return err == nil
}

// storageClass is torch.FloatStorage and its kin, as named in pickles.
type storageClass struct {
	name string
	e    elemType
}

var storageClasses = map[string]string{
	"FloatStorage": "F32", "DoubleStorage": "F64", "HalfStorage": "F16", "BFloat16Storage": "BF16",
	"LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8",
	"ByteStorage": "U8", "BoolStorage": "BOOL",
}

// storage is one block of elements that tensors view; data is a typed
// slice (nil until read, and for empty storages).
type storage struct {
	key   string
	class storageClass
	numel int
	data  interface{}
	// legacy-format views: a storage that is a window of another
	viewOf *storage
	offset int
}

// torchTensor is what _rebuild_tensor_v2 makes: a strided view of a
// storage, materialised once all storages are read.
type torchTensor struct {
	storage *storage
	offset  int
	size    []int
	stride  []int
}

// newTorchUnpickler resolves the classes a checkpoint may mention: storage
// types, tensor rebuilders, parameters and tensor subclasses (as their
// tensors); anything else (Lightning's hyper-parameters, numpy scalars,
// argparse namespaces) becomes an opaque object that is skipped.
func newTorchUnpickler(r io.Reader, persistentLoad func(interface{}) (interface{}, error)) pickle.Unpickler {
	u := pickle.NewUnpickler(r)
	u.PersistentLoad = persistentLoad
	u.FindClass = func(module, name string) (interface{}, error) {
		if module == "torch" {
			if code, ok := storageClasses[name]; ok {
				e, _ := elemTypeNamed(code)
				return storageClass{name: "torch." + name, e: e}, nil
			}
		}
		switch module + "." + name {
		case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
			return callFunc(rebuildTensor), nil
		case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
			return callFunc(func(args ...interface{}) (interface{}, error) {
				if len(args) < 1 {
					return nil, fmt.Errorf("%s.%s without arguments", module, name)
				}
				return args[0], nil
			}), nil
		case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type":
			return callFunc(func(args ...interface{}) (interface{}, error) {
				if len(args) < 3 {
					return nil, fmt.Errorf("%s.%s with %d arguments", module, name, len(args))
				}
				fn, ok1 := args[0].(types.Callable)
				fnArgs, ok2 := args[2].(*types.Tuple)
				if !ok1 || !ok2 {
					return nil, fmt.Errorf("%s.%s: unexpected arguments", module, name)
				}
				return fn.Call(*fnArgs...)
			}), nil
		}
		return &opaqueClass{module + "." + name}, nil
	}
	return u
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, storage_offset,
// size, stride, requires_grad, backward_hooks[, metadata]).
func rebuildTensor(args ...interface{}) (interface{}, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor with %d arguments", len(args))
	}
	s, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: %s where a storage belongs", pythonType(args[0]))
	}
	offset, ok := args[1].(int)
	size, err1 := intTuple(args[2])
	stride, err2 := intTuple(args[3])
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("_rebuild_tensor: bad offset, size or stride (%v, %v, %v)", args[1], args[2], args[3])
	}
	return &torchTensor{storage: s, offset: offset, size: size, stride: stride}, nil
}

func intTuple(v interface{}) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("not a tuple")
	}
	out := make([]int, t.Len())
	for i := range out {
		if out[i], ok = t.Get(i).(int); !ok {
			return nil, fmt.Errorf("not an int")
		}
	}
	return out, nil
}

// storageID parses a persistent id ("storage", class, key, location,
// numel[, view_metadata]).
func storageID(id interface{}) (class storageClass, key string, numel int, view interface{}, err error) {
	t, ok := id.(*types.Tuple)
	if !ok || t.Len() < 5 {
		return class, "", 0, nil, fmt.Errorf("persistent id %v is not a storage reference", id)
	}
	if kind, _ := t.Get(0).(string); kind != "storage" {
		return class, "", 0, nil, fmt.Errorf("persistent id of kind %v is not supported", t.Get(0))
	}
	switch c := t.Get(1).(type) {
	case storageClass:
		class = c
	case *opaqueClass:
		return class, "", 0, nil, fmt.Errorf("storage type %s is not supported", c.name)
	default:
		return class, "", 0, nil, fmt.Errorf("storage type %v is not supported", c)
	}
	key, ok1 := t.Get(2).(string)
	numel, ok2 := t.Get(4).(int)
	if !ok1 || !ok2 || numel < 0 {
		return class, "", 0, nil, fmt.Errorf("malformed storage reference %v", id)
	}
	if t.Len() > 5 {
		view = t.Get(5)
	}
	return class, key, numel, view, nil
}

// loadTorchZip reads PyTorch's zip format: <name>/data.pkl and one record
// <name>/data/<key> of raw little-endian elements per storage.
func loadTorchZip(f *os.File, size int64) (interface{}, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, fmt.Errorf("truncated or corrupt zip archive (PyTorch ≥ 1.6 format): %v", err)
	}
	records := map[string]*zip.File{}
	var pkl *zip.File
	for _, zf := range zr.File {
		records[zf.Name] = zf
		if path.Base(zf.Name) == "data.pkl" && (pkl == nil || len(zf.Name) < len(pkl.Name)) {
			pkl = zf
		}
	}
	if pkl == nil {
		if _, ok := records["constants.pkl"]; ok {
			return nil, fmt.Errorf("a TorchScript archive, not a state dict: save model.state_dict() with torch.save")
		}
		return nil, fmt.Errorf("zip archive without data.pkl: not written by torch.save")
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	if bo, ok := records[prefix+"byteorder"]; ok {
		if b, err := readRecord(bo, 16); err == nil && strings.TrimSpace(string(b)) == "big" {
			return nil, fmt.Errorf("tensors stored big-endian are not supported")
		}
	}
	storages := map[string]*storage{}
	load := func(id interface{}) (interface{}, error) {
		class, key, numel, _, err := storageID(id)
		if err != nil {
			return nil, err
		}
		if s, ok := storages[key]; ok {
			return s, nil
		}
		rec, ok := records[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage record %sdata/%s is missing from the archive", prefix, key)
		}
		want := uint64(numel) * uint64(class.e.size)
		if rec.UncompressedSize64 != want {
			return nil, fmt.Errorf("record %s holds %d bytes, but its %s of %d elements needs %d", rec.Name, rec.UncompressedSize64, class.name, numel, want)
		}
		b, err := readRecord(rec, int64(want))
		if err != nil {
			return nil, fmt.Errorf("record %s: %v", rec.Name, err)
		}
		s := &storage{key: key, class: class, numel: numel}
		if numel > 0 {
			s.data = decode(class.e, []int{numel}, b).Data()
		}
		storages[key] = s
		return s, nil
	}
	b, err := readRecord(pkl, int64(pkl.UncompressedSize64))
	if err != nil {
		return nil, fmt.Errorf("record %s: %v", pkl.Name, err)
	}
	obj, _, err := unpickleAt(b, 0, load)
	if err != nil {
		return nil, fmt.Errorf("record %s: %v", pkl.Name, err)
	}
	return obj, nil
}

// unpickleAt runs the pickle that starts at data[pos] (after checking its
// opcodes' lengths, see scanPickle) and returns its value and end.
func unpickleAt(data []byte, pos int, persistentLoad func(interface{}) (interface{}, error)) (interface{}, int, error) {
	end, err := scanPickle(data, pos)
	if err != nil {
		return nil, 0, err
	}
	u := newTorchUnpickler(bytes.NewReader(data[pos:end]), persistentLoad)
	obj, err := u.Load()
	if err != nil {
		return nil, 0, fmt.Errorf("pickle at byte %d: %s", pos, describePickleError(err))
	}
	return obj, end, nil
}

// readRecord reads a whole zip record of the expected size; reading to its
// end makes archive/zip check the CRC.
func readRecord(zf *zip.File, want int64) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, want+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != want {
		return nil, fmt.Errorf("%d bytes where %d belong", len(b), want)
	}
	return b, nil
}

func describePickleError(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF || strings.Contains(err.Error(), "EOF") {
		return "truncated pickle: " + err.Error()
	}
	return "cannot read pickle: " + err.Error()
}

// legacyMagic is the number that opens PyTorch's legacy format.
const legacyMagic = "1950a86a20f9469cfc6c"

// loadTorchLegacy reads the format of torch.save before 1.6: pickles of
// the magic number, the protocol version (1001) and system information,
// the object itself, the list of storage keys, then each storage as an
// int64 element count followed by its elements.
func loadTorchLegacy(f *os.File) (interface{}, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	pos := 0
	next := func(what string, load func(interface{}) (interface{}, error)) (interface{}, error) {
		v, end, err := unpickleAt(data, pos, load)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		pos = end
		return v, nil
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(*big.Int); !ok || m.Text(16) != legacyMagic {
		return nil, fmt.Errorf("a pickle, but not a PyTorch file (no PyTorch magic number at byte 0)")
	}
	if v, err := next("protocol version", nil); err != nil {
		return nil, err
	} else if v != 1001 {
		return nil, fmt.Errorf("PyTorch legacy protocol version %v is not supported (want 1001)", v)
	}
	if _, err := next("system information", nil); err != nil {
		return nil, err
	}

	storages := map[string]*storage{}
	load := func(id interface{}) (interface{}, error) {
		class, key, numel, view, err := storageID(id)
		if err != nil {
			return nil, err
		}
		s, ok := storages[key]
		if !ok {
			s = &storage{key: key, class: class, numel: numel}
			storages[key] = s
		}
		if view == nil {
			return s, nil
		}
		// (view_key, offset, view_size): a window of storage key
		vt, ok := view.(*types.Tuple)
		if !ok || vt.Len() != 3 {
			return nil, fmt.Errorf("malformed storage view %v", view)
		}
		viewKey, ok1 := vt.Get(0).(string)
		off, ok2 := vt.Get(1).(int)
		viewSize, ok3 := vt.Get(2).(int)
		if !ok1 || !ok2 || !ok3 || off < 0 || viewSize < 0 {
			return nil, fmt.Errorf("malformed storage view %v", view)
		}
		if v, ok := storages[viewKey]; ok {
			return v, nil
		}
		v := &storage{key: viewKey, class: class, numel: viewSize, viewOf: s, offset: off}
		storages[viewKey] = v
		return v, nil
	}
	obj, err := next("the saved object", load)
	if err != nil {
		return nil, err
	}
	keysObj, err := next("storage key list", nil)
	if err != nil {
		return nil, err
	}
	keys, ok := keysObj.(*types.List)
	if !ok {
		return nil, fmt.Errorf("storage key list is a %s", pythonType(keysObj))
	}
	for _, k := range *keys {
		key, _ := k.(string)
		s, ok := storages[key]
		if !ok || s.viewOf != nil {
			return nil, fmt.Errorf("storage key %v is not a storage of the pickle", k)
		}
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("truncated: storage %s: element count at byte %d, the file has %d bytes", key, pos, len(data))
		}
		numel := binary.LittleEndian.Uint64(data[pos:])
		if numel != uint64(s.numel) {
			return nil, fmt.Errorf("storage %s at byte %d has %d elements, the pickle says %d", key, pos, numel, s.numel)
		}
		pos += 8
		nbytes := uint64(s.numel) * uint64(s.class.e.size)
		if nbytes > uint64(len(data)-pos) {
			return nil, fmt.Errorf("truncated: storage %s needs %d bytes from byte %d, the file has %d", key, nbytes, pos, len(data))
		}
		if numel > 0 {
			s.data = decode(s.class.e, []int{s.numel}, data[pos:pos+int(nbytes)]).Data()
		}
		pos += int(nbytes)
	}
	for key, s := range storages {
		if s.viewOf == nil && s.numel > 0 && s.data == nil {
			return nil, fmt.Errorf("truncated: storage %s was never written", key)
		}
	}
	return obj, nil
}

type callFunc func(args ...interface{}) (interface{}, error)

func (f callFunc) Call(args ...interface{}) (interface{}, error) { return f(args...) }

// opaqueClass stands for a Python class LoadPyTorch has no use for; it can
// be called, instantiated and given state, and its objects are skipped.
type opaqueClass struct{ name string }

type opaqueObject struct{ class string }

func (c *opaqueClass) Call(...interface{}) (interface{}, error)  { return &opaqueObject{c.name}, nil }
func (c *opaqueClass) PyNew(...interface{}) (interface{}, error) { return &opaqueObject{c.name}, nil }
func (o *opaqueObject) PySetState(interface{}) error             { return nil }
func (o *opaqueObject) PyDictSet(key, value interface{}) error   { return nil }
func (o *opaqueObject) PySetAttr(string, interface{}) error      { return nil }

func isDict(v interface{}) bool {
	switch v.(type) {
	case *types.Dict, *types.OrderedDict:
		return true
	}
	return false
}

func dictGet(v interface{}, key string) (interface{}, bool) {
	for _, e := range dictEntries(v) {
		if k, ok := e.Key.(string); ok && k == key {
			return e.Value, true
		}
	}
	return nil, false
}

// dictEntries lists a dict's entries in insertion order.
func dictEntries(v interface{}) []types.DictEntry {
	switch d := v.(type) {
	case *types.Dict:
		return *d
	case *types.OrderedDict:
		var out []types.DictEntry
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			out = append(out, types.DictEntry{Key: e.Key, Value: e.Value})
		}
		return out
	}
	return nil
}

func dictKeys(v interface{}) []string {
	var keys []string
	for _, e := range dictEntries(v) {
		keys = append(keys, fmt.Sprint(e.Key))
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return []string{"none"}
	}
	return keys
}

func pythonType(v interface{}) string {
	switch x := v.(type) {
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case nil:
		return "None"
	case *opaqueObject:
		return x.class + " object"
	}
	return fmt.Sprintf("%T", v)
}

// flatten collects the tensors of a (possibly nested) dict under dotted
// names.
func flatten(d interface{}, prefix string, out map[string]*tensor.Dense, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("dicts nested more than %d deep under %q", maxNesting, prefix)
	}
	for _, e := range dictEntries(d) {
		name := prefix + fmt.Sprint(e.Key)
		switch v := e.Value.(type) {
		case *torchTensor:
			t, err := v.dense()
			if err != nil {
				return fmt.Errorf("tensor %q: %v", name, err)
			}
			if _, dup := out[name]; dup {
				return fmt.Errorf("two entries named %q", name)
			}
			out[name] = t
		case *types.Dict, *types.OrderedDict:
			if err := flatten(v, name+".", out, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// dense copies the tensor out of its storage, following offset and strides.
func (t *torchTensor) dense() (*tensor.Dense, error) {
	shape := append([]int{}, t.size...)
	n, err := numElements(shape)
	if err != nil {
		return nil, err
	}
	if len(t.stride) != len(shape) {
		return nil, fmt.Errorf("%d strides for shape %v", len(t.stride), shape)
	}
	s, offset := t.storage, t.offset
	for s.viewOf != nil { // legacy storage views
		if s.offset+s.numel > s.viewOf.numel {
			return nil, fmt.Errorf("storage view %s exceeds storage %s", s.key, s.viewOf.key)
		}
		offset += s.offset
		s = s.viewOf
	}
	if n == 0 {
		return tensor.New(tensor.Of(s.class.e.dtype), tensor.WithShape(shape...)), nil
	}
	var backing interface{}
	switch d := s.data.(type) {
	case []float32:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []float64:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []int64:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []int32:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []int16:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []int8:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []uint8:
		backing, err = gather(d, offset, shape, t.stride, n)
	case []bool:
		backing, err = gather(d, offset, shape, t.stride, n)
	case nil:
		err = fmt.Errorf("shape %v needs %d elements of the empty storage %s", shape, n, s.key)
	default:
		err = fmt.Errorf("storage %s of unsupported element type %T", s.key, s.data)
	}
	if err != nil {
		return nil, err
	}
	return newDense(shape, backing), nil
}

// gather copies the n elements of a strided view of src into a new
// row-major slice, after checking that the view lies inside src.
func gather[T any](src []T, offset int, shape, stride []int, n int) ([]T, error) {
	last := offset
	contiguous := true
	want := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if stride[i] < 0 {
			return nil, fmt.Errorf("negative stride %v", stride)
		}
		last += (shape[i] - 1) * stride[i]
		if shape[i] != 1 && stride[i] != want {
			contiguous = false
		}
		want *= shape[i]
	}
	if offset < 0 || last >= len(src) {
		return nil, fmt.Errorf("shape %v, strides %v at offset %d reach element %d of a storage of %d", shape, stride, offset, last, len(src))
	}
	if contiguous {
		return append([]T(nil), src[offset:offset+n]...), nil
	}
	out := make([]T, 0, n)
	idx := make([]int, len(shape))
	for {
		pos := offset
		for i, k := range idx {
			pos += k * stride[i]
		}
		out = append(out, src[pos])
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out, nil
		}
	}
}
