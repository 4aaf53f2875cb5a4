package checkpoint

import (
	"archive/zip"
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// tinyNet is testdata/torchref.py's
// nn.Sequential(Conv2d(3, 4, 3), BatchNorm2d(4), ReLU(), Flatten(), Linear(4, 2))
// with PyTorch's names; on 3×3 inputs global pooling is the flatten.
func tinyNet(t testing.TB, outChannels int, seed int64) nn.Module {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	conv, err := nn.NewConv2d("0", 3, outChannels, 3, nn.ConvOptions{Stride: 1, Dilation: 1, Groups: 1}, rng)
	if err != nil {
		t.Fatal(err)
	}
	bn, err := nn.NewBatchNorm2d("1", outChannels, nn.BNOptions{Eps: 1e-5, Momentum: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	fc, err := nn.NewLinear("4", outChannels, 2, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	return nn.NewSequential(conv, bn, nn.ReLU{}, nn.GlobalAvgPool{}, fc)
}

// forward runs m in evaluation mode on x and returns its output.
func forward(t testing.TB, m nn.Module, x *tensor.Dense) []float64 {
	t.Helper()
	nn.SetTraining(m, false)
	return graphtest.Forward(t, m.Forward, x)
}

func floats(t testing.TB, x *tensor.Dense) []float64 {
	t.Helper()
	v, err := gradcheck.Float64s(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustLoad(t testing.TB, path string) map[string]*tensor.Dense {
	t.Helper()
	m, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// LoadPyTorch reads both torch.save formats into exactly the tensors
// PyTorch holds (testdata/tiny_want.safetensors): the state dict under the
// "state_dict" wrapper, non-tensor entries (an argparse Namespace, a
// torch.device, ints) skipped, transposed/offset/strided views copied out
// row-major, half and bfloat16 widened, int64/int32/bool/float64 kept.
func TestLoadPyTorchMatchesTorch(t *testing.T) {
	want := mustLoad(t, "testdata/tiny_want.safetensors")
	for _, file := range []string{"tiny_zip.pt", "tiny_legacy.pt"} {
		t.Run(file, func(t *testing.T) {
			got, err := LoadPyTorch(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range want {
				g, ok := got[name]
				if !ok {
					t.Errorf("%s missing", name)
					continue
				}
				if g.Dtype() != w.Dtype() || !reflect.DeepEqual(dims(g.Shape()), dims(w.Shape())) {
					t.Errorf("%s: %v %v, want %v %v", name, g.Dtype(), g.Shape(), w.Dtype(), w.Shape())
					continue
				}
				if !reflect.DeepEqual(values(g), values(w)) {
					t.Errorf("%s = %v, want %v", name, values(g), values(w))
				}
			}
			e, ok := got["extra.empty"]
			if !ok || !reflect.DeepEqual(dims(e.Shape()), []int{0, 3}) {
				t.Errorf("empty tensor: %v", e)
			}
			if len(got) != len(want)+1 {
				t.Errorf("%d tensors, want %d: %v", len(got), len(want)+1, sortedKeys(got))
			}
			if c := got["1.num_batches_tracked"]; c == nil || c.Dtype() != tensor.Int64 || len(c.Shape()) != 0 {
				t.Errorf("num_batches_tracked = %v, want an int64 scalar", c)
			}
		})
	}
}

func sortedKeys(m map[string]*tensor.Dense) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The weights PyTorch saved give PyTorch's output in sslkit (eval mode),
// from either file format and through DataParallel's "module." names.
func TestLoadModelGivesPyTorchOutput(t *testing.T) {
	ref := mustLoad(t, "testdata/tiny_forward.safetensors")
	cases := map[string]LoadOptions{
		"tiny_zip.pt":           {Ignore: []string{"extra."}},
		"tiny_legacy.pt":        {Ignore: []string{"extra."}},
		"tiny_dataparallel.pth": {},
	}
	for file, opt := range cases {
		t.Run(file, func(t *testing.T) {
			net := tinyNet(t, 4, 7)
			var rep Report
			opt.Report = &rep
			if err := LoadModel(filepath.Join("testdata", file), net, opt); err != nil {
				t.Fatal(err)
			}
			if len(rep.Loaded) != 8 || !rep.OK() {
				t.Errorf("report %v", &rep)
			}
			got := forward(t, net, ref["input"])
			if e, err := gradcheck.RelErr(got, floats(t, ref["output"]), 1e-3); err != nil || e > 1e-5 {
				t.Errorf("output differs from PyTorch's by %.3g relative (%v): %v vs %v", e, err, got, floats(t, ref["output"]))
			}
		})
	}
}

func TestSaveModelRoundTrip(t *testing.T) {
	src := tinyNet(t, 4, 1)
	nn.Walk(src, func(m nn.Module) {
		if b, ok := m.(*nn.BatchNorm); ok {
			copy(b.RunningMean.Data(), []float32{0.1, -0.2, 0.3, -0.4})
			copy(b.RunningVar.Data(), []float32{0.5, 1.5, 2, 0.7})
		}
	})
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := SaveModel(path, src); err != nil {
		t.Fatal(err)
	}
	raw, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" {
		t.Errorf("metadata %v, want format=pt (safetensors.torch's convention)", meta)
	}
	// the names of torch's state_dict for the same Sequential, no more
	want := []string{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "4.bias", "4.weight"}
	got := sortedKeys(raw)
	sortStrings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	if c := raw["1.num_batches_tracked"]; c.Dtype() != tensor.Int64 || len(c.Shape()) != 0 {
		t.Errorf("num_batches_tracked is %v %v, PyTorch's strict load wants an int64 scalar", c.Dtype(), c.Shape())
	}
	dst := tinyNet(t, 4, 2)
	if err := LoadModel(path, dst, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 3, 3, 3), tensor.WithBacking(gradcheck.RandomTensor(tensor.Float32, tensor.Shape{2, 3, 3, 3}, 5, 1).Data()))
	if a, b := forward(t, src, x), forward(t, dst, x); !reflect.DeepEqual(a, b) {
		t.Errorf("reloaded model computes %v, saved one %v", b, a)
	}
	if err := SaveModel(filepath.Join(t.TempDir(), "x.pt"), src); err == nil || !strings.Contains(err.Error(), ".safetensors") {
		t.Errorf("SaveModel to .pt: %v, want a refusal pointing to .safetensors", err)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// A strict load reports every problem at once, by name, and changes
// nothing; a non-strict load takes what fits and lists the rest.
func TestStrictLoadReportsAllProblems(t *testing.T) {
	file := mustLoad(t, "testdata/tiny_want.safetensors")
	delete(file, "4.bias")                                                                  // missing
	file["head.weight"] = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1})) // unexpected
	net := tinyNet(t, 5, 3)                                                                 // conv and BN with 5 channels: shapes differ
	before, _ := StateDict(net)
	snapshot := map[string][]float32{}
	for k, v := range before {
		if v.Dtype() == tensor.Float32 {
			snapshot[k] = append([]float32(nil), v.Data().([]float32)...)
		}
	}
	err := LoadStateDict(net, file, LoadOptions{Ignore: []string{"extra."}})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want a *LoadError", err)
	}
	msg := err.Error()
	for _, want := range []string{"1 missing", "4.bias", "1 unexpected", "head.weight",
		"0.weight: file [4 3 3 3], model [5 3 3 3]", "1.running_var: file [4], model [5]", "4.weight: file [2 4], model [2 5]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(le.Report.Mismatched) != 7 { // conv weight+bias, 4 BN tensors, fc weight
		t.Errorf("%d mismatches, want 7: %v", len(le.Report.Mismatched), le.Report.Mismatched)
	}
	after, _ := StateDict(net)
	for k, v := range snapshot {
		if !reflect.DeepEqual(after[k].Data().([]float32), v) {
			t.Errorf("failed strict load changed %s", k)
		}
	}

	var rep Report
	if err := LoadStateDict(net, file, LoadOptions{NonStrict: true, Ignore: []string{"extra."}, Report: &rep}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Missing, []string{"4.bias"}) || !reflect.DeepEqual(rep.Unexpected, []string{"head.weight"}) || len(rep.Loaded) != 0 {
		t.Errorf("non-strict report: %v", &rep)
	}
	if !strings.Contains(rep.String(), "ignored: extra.") {
		t.Errorf("report does not list the ignored tensors:\n%v", &rep)
	}
}

func TestLoadConvertsFloat64AndRefusesIntegers(t *testing.T) {
	net := tinyNet(t, 4, 3)
	sd, _ := StateDict(net)
	file := map[string]*tensor.Dense{}
	for k, v := range sd {
		if v.Dtype() != tensor.Float32 {
			file[k] = v
			continue
		}
		d := v.Data().([]float32)
		w := make([]float64, len(d))
		for i := range d {
			w[i] = float64(d[i]) + 0.25
		}
		file[k] = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(w))
	}
	dst := tinyNet(t, 4, 9)
	if err := LoadStateDict(dst, file, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := StateDict(dst)
	if g, w := got["4.weight"].Data().([]float32)[0], float32(file["4.weight"].Data().([]float64)[0]); g != w {
		t.Errorf("float64 weight loaded as %v, want %v", g, w)
	}
	file["4.bias"] = tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{1, 2}))
	err := LoadStateDict(dst, file, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "4.bias: file int64, model float32") {
		t.Errorf("integer weight: %v", err)
	}
}

// A checkpoint that nests the model under a prefix gets a hint naming the
// StripPrefix that fixes it; StripPrefix then loads it and ignores the
// rest of the checkpoint.
func TestStripPrefix(t *testing.T) {
	sd := mustLoad(t, "testdata/tiny_want.safetensors")
	file := map[string]*tensor.Dense{}
	for k, v := range sd {
		if !strings.HasPrefix(k, "extra.") {
			file["backbone."+k] = v
		}
	}
	file["projector.0.weight"] = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1}))
	net := tinyNet(t, 4, 3)
	err := LoadStateDict(net, file, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `StripPrefix = "backbone."`) {
		t.Fatalf("error %v, want a StripPrefix hint", err)
	}
	moco := map[string]*tensor.Dense{}
	for k, v := range file {
		moco["module.encoder_q."+k] = v
	}
	if err := LoadStateDict(net, moco, LoadOptions{}); err == nil || !strings.Contains(err.Error(), `StripPrefix = "module.encoder_q.backbone."`) {
		t.Errorf("two-level prefix: %v, want a hint naming it", err)
	}
	if err := LoadStateDict(net, file, LoadOptions{StripPrefix: "encoder."}); err == nil || !strings.Contains(err.Error(), `no tensor name in the file starts with StripPrefix "encoder."`) {
		t.Errorf("absent prefix: %v", err)
	}
	var rep Report
	if err := LoadStateDict(net, file, LoadOptions{StripPrefix: "backbone.", Report: &rep}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Ignored, []string{"projector.0.weight"}) {
		t.Errorf("ignored %v", rep.Ignored)
	}
}

func TestLoadPyTorchErrors(t *testing.T) {
	dir := t.TempDir()
	zipped, err := os.ReadFile("testdata/tiny_zip.pt")
	if err != nil {
		t.Fatal(err)
	}
	legacy, _ := os.ReadFile("testdata/tiny_legacy.pt")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	cases := map[string]struct {
		path string
		want string
	}{
		"whole module":   {"testdata/tiny_module.pt", "save model.state_dict()"},
		"truncated zip":  {write("cut.pt", zipped[:len(zipped)/2]), "truncated or corrupt zip"},
		"zip tail lost":  {write("tail.pt", zipped[:len(zipped)-10]), "truncated or corrupt zip"},
		"legacy cut":     {write("legacy_cut.pt", legacy[:len(legacy)-100]), "truncated"},
		"empty":          {write("empty.pt", nil), "empty"},
		"text":           {write("notes.pth", []byte("hello, world")), "neither a zip archive nor a pickle"},
		"safetensors":    {write("st.pt", mustRead(t, "testdata/dtypes.safetensors")), "neither a zip archive nor a pickle"},
		"absent":         {filepath.Join(dir, "absent.pt"), "no such file"},
		"single tensor":  {"testdata/tiny_tensor.pt", "single tensor, not a state dict"},
		"zip of no data": {writeZip(t, filepath.Join(dir, "other.pt")), "without data.pkl"},
	}
	for name, c := range cases {
		_, err := LoadPyTorch(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: %v\n  want an error naming %s and containing %q", name, err, c.path, c.want)
		}
	}
	// every prefix of the legacy file fails cleanly (the zip's are caught
	// by the archive check)
	for n := 0; n < len(legacy); n += 97 {
		p := write("prefix.pt", legacy[:n])
		if _, err := LoadPyTorch(p); err == nil {
			t.Fatalf("legacy file cut to %d of %d bytes loaded", n, len(legacy))
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeZip writes a zip archive that is not a PyTorch file.
func writeZip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("not a checkpoint"))
	zw.Close()
	f.Close()
	return path
}

// LoadModel picks the reader by extension, and by the first bytes for
// other names.
func TestLoadModelRecognisesFormats(t *testing.T) {
	dir := t.TempDir()
	ref := mustLoad(t, "testdata/tiny_forward.safetensors")
	src := tinyNet(t, 4, 5)
	st := filepath.Join(dir, "weights.safetensors")
	if err := SaveModel(st, src); err != nil {
		t.Fatal(err)
	}
	x := ref["input"]
	files := map[string]struct {
		raw  []byte
		want []float64
	}{
		"zip_weights":         {mustRead(t, "testdata/tiny_dataparallel.pth"), floats(t, ref["output"])},
		"legacy_weights.data": {mustRead(t, "testdata/tiny_legacy.pt"), floats(t, ref["output"])},
		"sslkit_weights":      {mustRead(t, st), forward(t, src, x)},
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, f.raw, 0o644); err != nil {
			t.Fatal(err)
		}
		net := tinyNet(t, 4, 6)
		if err := LoadModel(p, net, LoadOptions{Ignore: []string{"extra."}}); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if e, err := gradcheck.RelErr(forward(t, net, x), f.want, 1e-3); err != nil || e > 1e-5 {
			t.Errorf("%s: output off by %.3g relative (%v)", name, e, err)
		}
	}
	if err := LoadModel(filepath.Join(dir, "missing.pt"), tinyNet(t, 4, 6), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "missing.pt") {
		t.Errorf("missing file: %v", err)
	}
}

// A flipped byte inside a storage record of a zip checkpoint is caught by
// the archive's CRC, not loaded as a wrong weight; flipped bytes anywhere
// in a legacy file give an error or a load, never a panic or a fatal
// out-of-memory (a corrupt length once asked gopickle for 14 TB).
func TestLoadPyTorchCorruptBytes(t *testing.T) {
	raw := mustRead(t, "testdata/tiny_zip.pt")
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	flipped := 0
	for _, zf := range zr.File {
		if !strings.Contains(zf.Name, "/data/") || zf.UncompressedSize64 == 0 {
			continue
		}
		off, err := zf.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), raw...)
		bad[off+int64(zf.UncompressedSize64)/2] ^= 0x40
		p := filepath.Join(dir, "flipped.pt")
		os.WriteFile(p, bad, 0o644)
		_, err = LoadPyTorch(p)
		if err == nil || !strings.Contains(err.Error(), zf.Name) || !strings.Contains(err.Error(), "checksum") {
			t.Errorf("byte flipped in %s: %v, want a checksum error naming the record", zf.Name, err)
		}
		flipped++
	}
	if flipped < 10 {
		t.Fatalf("only %d storage records found", flipped)
	}

	legacy := mustRead(t, "testdata/tiny_legacy.pt")
	for i := 0; i < len(legacy); i += 3 {
		bad := append([]byte(nil), legacy...)
		bad[i] ^= 0xff
		p := filepath.Join(dir, "legacy.pt")
		os.WriteFile(p, bad, 0o644)
		LoadPyTorch(p) // must return, error or not
	}
}

func TestScanPickleBoundsLengths(t *testing.T) {
	// PROTO 2, BINBYTES8 with a length of 2⁶⁰, STOP
	huge := []byte{0x80, 2, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x10, '.'}
	if _, err := scanPickle(huge, 0); err == nil || !strings.Contains(err.Error(), "at byte 2 needs 1152921504606846976 bytes") {
		t.Errorf("huge length: %v", err)
	}
	// PROTO 2, SHORT_BINUNICODE "ab", STOP, then trailing data
	ok := []byte{0x80, 2, 0x8c, 2, 'a', 'b', '.', 9, 9}
	if end, err := scanPickle(ok, 0); err != nil || end != 7 {
		t.Errorf("end %d, %v; want 7", end, err)
	}
	if _, err := scanPickle(ok[:5], 0); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("cut pickle: %v", err)
	}
	if _, err := scanPickle([]byte{0x80, 2, 0xff}, 0); err == nil || !strings.Contains(err.Error(), "unknown opcode 0xff at byte 2") {
		t.Errorf("bad opcode: %v", err)
	}
}

func TestNilInputs(t *testing.T) {
	if err := SaveModel(filepath.Join(t.TempDir(), "x.safetensors"), nil); err == nil {
		t.Error("SaveModel(nil) succeeded")
	}
	if err := LoadModel("testdata/tiny_zip.pt", nil, LoadOptions{}); err == nil {
		t.Error("LoadModel into nil succeeded")
	}
	net := tinyNet(t, 4, 1)
	sd, _ := StateDict(net)
	sd["0.weight"] = nil
	if err := LoadStateDict(net, sd, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "0.weight: nil tensor") {
		t.Errorf("nil tensor: %v", err)
	}
}
