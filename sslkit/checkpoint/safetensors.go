package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"gorgonia.org/tensor"
)

// The safetensors format (https://github.com/huggingface/safetensors): an
// unsigned little-endian 64-bit header length N, N bytes of JSON (padded
// with spaces) mapping each tensor name to {"dtype", "shape",
// "data_offsets": [begin, end]} plus an optional "__metadata__" map of
// strings, then the tensors' bytes, little-endian and row-major, offsets
// counted from the end of the header. The reference reader rejects gaps,
// overlaps and trailing bytes; so does this one.

// metadataKey is the header entry that holds the string metadata.
const metadataKey = "__metadata__"

// maxHeaderBytes bounds the JSON header as the reference implementation does
// (100 MB), so a corrupt length cannot make Load allocate without limit.
const maxHeaderBytes = 100 << 20

type headerEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// Save writes tensors and the string metadata meta (may be nil) to path in
// the safetensors format, readable by Load, by Hugging Face's safetensors
// library and by PyTorch through safetensors.torch.load_file. Tensors keep
// their dtype (float32, float64, int64 for counters, any gorgonia integer
// type, bool). The file is written beside path and renamed into place, so
// an interrupted Save leaves any previous file intact.
func Save(path string, tensors map[string]*tensor.Dense, meta map[string]string) error {
	type item struct {
		name  string
		e     elemType
		shape []int
		n     int
		t     *tensor.Dense
	}
	items := make([]item, 0, len(tensors))
	for name, t := range tensors {
		if name == "" || name == metadataKey {
			return fmt.Errorf("checkpoint: %s: tensor name %q is reserved", path, name)
		}
		if t == nil {
			return fmt.Errorf("checkpoint: %s: tensor %q is nil", path, name)
		}
		e, ok := elemTypeOf(t.Dtype())
		if !ok {
			return fmt.Errorf("checkpoint: %s: tensor %q has dtype %v, which safetensors cannot hold", path, name, t.Dtype())
		}
		if t.DataOrder().IsColMajor() {
			return fmt.Errorf("checkpoint: %s: tensor %q is column-major; safetensors stores row-major data", path, name)
		}
		if t.IsMaterializable() { // a slice or a lazy transpose: copy into plain row-major order
			t = t.Materialize().(*tensor.Dense)
		}
		shape := []int(t.Shape().Clone())
		if shape == nil {
			shape = []int{}
		}
		n, err := numElements(shape)
		if err != nil {
			return fmt.Errorf("checkpoint: %s: tensor %q: %v", path, name, err)
		}
		items = append(items, item{name, e, shape, n, t})
	}
	// Largest elements first, then by name: every tensor starts at an offset
	// aligned to its element size, and the file is reproducible.
	sort.Slice(items, func(i, j int) bool {
		if items[i].e.size != items[j].e.size {
			return items[i].e.size > items[j].e.size
		}
		return items[i].name < items[j].name
	})

	header := map[string]interface{}{}
	if len(meta) > 0 {
		header[metadataKey] = meta
	}
	var offset int64
	for _, it := range items {
		end := offset + int64(it.n*it.e.size)
		header[it.name] = headerEntry{DType: it.e.name, Shape: it.shape, DataOffsets: []int64{offset, end}}
		offset = end
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("checkpoint: %s: encoding the header: %v", path, err)
	}
	for len(js)%8 != 0 { // keeps the data section 8-byte aligned
		js = append(js, ' ')
	}

	return writeAtomically(path, func(w io.Writer) error {
		var lenField [8]byte
		putUint64(lenField[:], uint64(len(js)))
		if _, err := w.Write(lenField[:]); err != nil {
			return err
		}
		if _, err := w.Write(js); err != nil {
			return err
		}
		var buf []byte
		for _, it := range items {
			if it.n == 0 {
				continue // gorgonia cannot hand out the data of an empty tensor
			}
			buf, err = encode(buf[:0], it.e, it.t.Data())
			if err != nil {
				return fmt.Errorf("tensor %q: %v", it.name, err)
			}
			if len(buf) != it.n*it.e.size {
				return fmt.Errorf("tensor %q: %d bytes of data for shape %v", it.name, len(buf), it.shape)
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}

func putUint64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// writeAtomically writes through fill into a temporary file in path's
// folder and renames it to path once complete.
func writeAtomically(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := fill(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	return nil
}

// Load reads a safetensors file written by Save, by Hugging Face's
// safetensors or by any conforming writer. Tensors keep their stored dtype,
// except float16 and bfloat16, which are widened exactly to float32
// (gorgonia has no half-precision type). A tensor with zero elements is
// returned with its shape but must not have its Data read (a gorgonia
// limitation). meta is the header's "__metadata__" (nil when absent).
//
// A truncated or corrupt file gives an error naming the file and the byte
// offset or tensor at fault; Load never panics on bad input.
func Load(path string) (map[string]*tensor.Dense, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %v", err)
	}
	entries, meta, dataStart, err := readHeader(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	out := make(map[string]*tensor.Dense, len(entries))
	var buf []byte
	for _, en := range entries {
		size := int(en.end - en.begin)
		if cap(buf) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := f.ReadAt(buf, dataStart+en.begin); err != nil {
			return nil, nil, fmt.Errorf("checkpoint: %s: tensor %q at byte %d: %v", path, en.name, dataStart+en.begin, err)
		}
		if size == 0 {
			out[en.name] = emptyDense(en.e, en.shape)
			continue
		}
		out[en.name] = decode(en.e, en.shape, buf)
	}
	return out, meta, nil
}

// emptyDense is a zero-element tensor of the right dtype and shape.
func emptyDense(e elemType, shape []int) *tensor.Dense {
	return tensor.New(tensor.Of(e.dtype), tensor.WithShape(shape...))
}

type entry struct {
	name       string
	e          elemType
	shape      []int
	begin, end int64
}

// readHeader parses and checks the header of a safetensors file of size
// bytes: every tensor's bytes must match its dtype and shape, and the
// tensors must tile the data section exactly. Entries come back in file
// order; dataStart is the file offset of the data section.
func readHeader(r io.ReaderAt, size int64) (entries []entry, meta map[string]string, dataStart int64, err error) {
	var lenField [8]byte
	if size < 8 {
		return nil, nil, 0, fmt.Errorf("file has %d bytes, too short for a safetensors header (8-byte length, then JSON)", size)
	}
	if _, err := r.ReadAt(lenField[:], 0); err != nil {
		return nil, nil, 0, err
	}
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(lenField[i])
	}
	if n > maxHeaderBytes {
		return nil, nil, 0, fmt.Errorf("not a safetensors file: header length field (bytes 0-7) says %d bytes, more than the %d allowed", n, maxHeaderBytes)
	}
	if int64(n) > size-8 {
		return nil, nil, 0, fmt.Errorf("truncated or not safetensors: header length field says %d bytes, but only %d follow it", n, size-8)
	}
	js := make([]byte, n)
	if _, err := r.ReadAt(js, 8); err != nil {
		return nil, nil, 0, err
	}
	if len(bytes.TrimLeft(js, " \t\r\n")) == 0 || bytes.TrimLeft(js, " \t\r\n")[0] != '{' {
		return nil, nil, 0, fmt.Errorf("not a safetensors file: the header at byte 8 is not a JSON object")
	}
	raw, err := decodeObject(js)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("header (bytes 8-%d): %v", 8+n, err)
	}
	for _, kv := range raw {
		if kv.key == metadataKey {
			if err := json.Unmarshal(kv.value, &meta); err != nil {
				return nil, nil, 0, fmt.Errorf("header: %s must map strings to strings: %v", metadataKey, err)
			}
			continue
		}
		var he headerEntry
		dec := json.NewDecoder(bytes.NewReader(kv.value))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&he); err != nil {
			return nil, nil, 0, fmt.Errorf("header: tensor %q: %v", kv.key, err)
		}
		e, ok := elemTypeNamed(he.DType)
		if !ok {
			return nil, nil, 0, fmt.Errorf("header: tensor %q has dtype %q, which this reader does not support", kv.key, he.DType)
		}
		if he.Shape == nil {
			he.Shape = []int{}
		}
		count, err := numElements(he.Shape)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("header: tensor %q: %v", kv.key, err)
		}
		if len(he.DataOffsets) != 2 || he.DataOffsets[0] < 0 || he.DataOffsets[1] < he.DataOffsets[0] {
			return nil, nil, 0, fmt.Errorf("header: tensor %q has data_offsets %v, want [begin, end] with 0 ≤ begin ≤ end", kv.key, he.DataOffsets)
		}
		if count > (1<<62)/e.size || he.DataOffsets[1]-he.DataOffsets[0] != int64(count*e.size) {
			return nil, nil, 0, fmt.Errorf("header: tensor %q (%s, shape %v) needs %d bytes, but data_offsets %v span %d",
				kv.key, he.DType, he.Shape, count*e.size, he.DataOffsets, he.DataOffsets[1]-he.DataOffsets[0])
		}
		entries = append(entries, entry{kv.key, e, he.Shape, he.DataOffsets[0], he.DataOffsets[1]})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	dataStart = 8 + int64(n)
	dataLen := size - dataStart
	var next int64
	for _, en := range entries {
		switch {
		case en.begin > next:
			return nil, nil, 0, fmt.Errorf("header: %d unused bytes before tensor %q (data bytes %d-%d)", en.begin-next, en.name, next, en.begin)
		case en.begin < next:
			return nil, nil, 0, fmt.Errorf("header: tensor %q (data bytes %d-%d) overlaps the tensor before it", en.name, en.begin, en.end)
		}
		if en.end > dataLen {
			return nil, nil, 0, fmt.Errorf("truncated: tensor %q ends at byte %d of the file, which has %d bytes", en.name, dataStart+en.end, size)
		}
		next = en.end
	}
	if next != dataLen {
		return nil, nil, 0, fmt.Errorf("%d bytes after the last tensor (file offset %d): not written by a safetensors writer", dataLen-next, dataStart+next)
	}
	return entries, meta, dataStart, nil
}

type rawMember struct {
	key   string
	value json.RawMessage
}

// decodeObject splits a JSON object into its members in file order and
// refuses duplicate names, which encoding/json would silently merge.
func decodeObject(js []byte) ([]rawMember, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	var out []rawMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("at byte %d: %v", 8+dec.InputOffset(), err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("at byte %d: want a member name", 8+dec.InputOffset())
		}
		if seen[key] {
			return nil, fmt.Errorf("name %q appears twice", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("member %q (near byte %d): %v", key, 8+dec.InputOffset(), err)
		}
		out = append(out, rawMember{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("at byte %d: %v", 8+dec.InputOffset(), err)
	}
	if rest := bytes.TrimSpace(js[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("at byte %d: data after the JSON object", 8+dec.InputOffset())
	}
	return out, nil
}
