package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// batchCounter is the name suffix of BatchNorm's num_batches_tracked, an
// int64 scalar in every PyTorch BatchNorm state dict that sslkit does not
// use (it matters only for momentum=None, cumulative averaging).
const batchCounter = "num_batches_tracked"

// StateDict returns m's parameters and buffers under their PyTorch names,
// plus an int64 scalar "….num_batches_tracked" (0) for every BatchNorm, so
// that the set of names equals PyTorch's model.state_dict() for the same
// architecture. Parameter tensors are m's own (not copies).
func StateDict(m nn.Module) (map[string]*tensor.Dense, error) {
	if m == nil {
		return nil, fmt.Errorf("checkpoint: nil model")
	}
	params, err := nn.StateDict(m)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	out := make(map[string]*tensor.Dense, len(params))
	for name, p := range params {
		out[name] = p.Value
	}
	for _, name := range batchCounters(m) {
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("checkpoint: parameter name %q collides with a BatchNorm counter", name)
		}
		out[name] = tensor.New(tensor.WithShape(), tensor.WithBacking([]int64{0}))
	}
	return out, nil
}

// batchCounters names the num_batches_tracked entry of every BatchNorm in m.
func batchCounters(m nn.Module) []string {
	var names []string
	nn.Walk(m, func(x nn.Module) {
		if bn, ok := x.(*nn.BatchNorm); ok && bn.RunningMean != nil {
			prefix := strings.TrimSuffix(bn.RunningMean.Name, "running_mean")
			names = append(names, prefix+batchCounter)
		}
	})
	return names
}

// SaveModel writes m's state dict (see StateDict) to path as safetensors
// with metadata {"format": "pt"}, the convention of safetensors.torch. In
// PyTorch, with the safetensors package:
//
//	from safetensors.torch import load_file
//	model = torchvision.models.resnet18()
//	model.load_state_dict(load_file("resnet18.safetensors"), strict=True)
//
// path must end in .safetensors: SaveModel does not write pickle files.
func SaveModel(path string, m nn.Module) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".safetensors" {
		return fmt.Errorf("checkpoint: SaveModel writes safetensors; name the file *.safetensors, not %q", filepath.Base(path))
	}
	sd, err := StateDict(m)
	if err != nil {
		return err
	}
	return Save(path, sd, map[string]string{"format": "pt"})
}

// LoadOptions control how a state dict is matched to a model. The zero
// value is a strict load, as PyTorch's load_state_dict(strict=True): every
// model tensor must be in the file with the same shape, and the file must
// hold nothing else.
type LoadOptions struct {
	// NonStrict loads every tensor whose name and shape match and skips the
	// rest (listed in Report) instead of failing.
	NonStrict bool
	// StripPrefix keeps only the file's tensors whose names start with it,
	// and removes it: "backbone." takes a solo-learn backbone out of a
	// checkpoint that also holds projector and classifier weights. Other
	// tensors are listed in Report.Ignored, not treated as unexpected.
	// When StripPrefix is empty and every name starts with "module."
	// (torch.nn.DataParallel), that prefix is removed.
	StripPrefix string
	// Ignore lists file names (after StripPrefix) to leave out; an entry
	// ending in "." covers everything under it ("fc." drops torchvision's
	// classifier when loading into a feature extractor).
	Ignore []string
	// Report, when not nil, receives what was loaded and what was skipped.
	Report *Report
}

// Report is the outcome of matching a state dict to a model. Names are
// sorted; file names are given after prefix stripping.
type Report struct {
	Loaded     []string // model tensors set from the file
	Missing    []string // model tensors the file lacks
	Unexpected []string // file tensors the model lacks
	Mismatched []string // "name: file [64 3 7 7], model [64 3 3 3]" (shape or dtype)
	Ignored    []string // file tensors left out by StripPrefix or Ignore
	// BatchNorm's num_batches_tracked entries are accepted and appear in
	// no list: sslkit keeps no such counter.
}

// OK reports whether the load was complete: nothing missing, unexpected or
// mismatched.
func (r *Report) OK() bool {
	return len(r.Missing) == 0 && len(r.Unexpected) == 0 && len(r.Mismatched) == 0
}

func (r *Report) String() string {
	return fmt.Sprintf("loaded %d tensors", len(r.Loaded)) + r.details()
}

// details lists the skipped tensors, one category a line, the first few
// names of each.
func (r *Report) details() string {
	var b strings.Builder
	list := func(what string, names []string) {
		if len(names) == 0 {
			return
		}
		const show = 8
		sep := ", "
		if what == "mismatched" { // entries contain commas themselves
			sep = "; "
		}
		fmt.Fprintf(&b, "\n  %d %s: %s", len(names), what, strings.Join(names[:min(show, len(names))], sep))
		if len(names) > show {
			fmt.Fprintf(&b, ", … (%d more)", len(names)-show)
		}
	}
	list("missing", r.Missing)
	list("unexpected", r.Unexpected)
	list("mismatched", r.Mismatched)
	list("ignored", r.Ignored)
	return b.String()
}

// LoadError is the error of a strict load that found missing, unexpected
// or mismatched tensors. The model is left unchanged.
type LoadError struct {
	Source string // the file, or "state dict"
	Report Report
	// Hint suggests a LoadOptions change when one would fix the load.
	Hint string
}

func (e *LoadError) Error() string {
	r := e.Report
	msg := fmt.Sprintf("checkpoint: %s does not match the model (%d missing, %d unexpected, %d mismatched):%s",
		e.Source, len(r.Missing), len(r.Unexpected), len(r.Mismatched), r.details())
	if e.Hint != "" {
		msg += "\n  hint: " + e.Hint
	}
	return msg
}

// LoadModel loads the tensors in path into m: a safetensors file (.safetensors),
// or a PyTorch pickle (.pt, .pth, .bin, .ckpt; see LoadPyTorch). Other names
// are recognised by their first bytes. Floating-point tensors of any
// precision are converted to float32; BatchNorm's num_batches_tracked is
// accepted and ignored. A strict load (the default) fails with a
// *LoadError naming every missing, unexpected and mismatched tensor at
// once, and then changes nothing in m.
func LoadModel(path string, m nn.Module, opt LoadOptions) error {
	if m == nil {
		return fmt.Errorf("checkpoint: loading %s into a nil model", path)
	}
	var tensors map[string]*tensor.Dense
	var err error
	switch kind, kerr := fileKind(path); {
	case kerr != nil:
		return kerr
	case kind == kindSafetensors:
		tensors, _, err = Load(path)
	default:
		tensors, err = LoadPyTorch(path)
	}
	if err != nil {
		return err
	}
	return loadInto(path, m, tensors, opt)
}

// LoadStateDict loads tensors (named as in PyTorch's state_dict) into m,
// with the same rules as LoadModel.
func LoadStateDict(m nn.Module, tensors map[string]*tensor.Dense, opt LoadOptions) error {
	return loadInto("state dict", m, tensors, opt)
}

type fileFormat int

const (
	kindSafetensors fileFormat = iota
	kindPickle
)

// fileKind decides by extension, and by the first bytes for other names:
// PyTorch's zip archives start with "PK", legacy pickles with 0x80 (the
// pickle PROTO opcode); anything else is tried as safetensors.
func fileKind(path string) (fileFormat, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		return kindSafetensors, nil
	case ".pt", ".pth", ".bin", ".ckpt", ".tar":
		return kindPickle, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %v", err)
	}
	defer f.Close()
	var head [2]byte
	if n, _ := f.Read(head[:]); n == 2 && (string(head[:]) == "PK" || head[0] == 0x80) {
		return kindPickle, nil
	}
	return kindSafetensors, nil
}

func loadInto(source string, m nn.Module, file map[string]*tensor.Dense, opt LoadOptions) error {
	if m == nil {
		return fmt.Errorf("checkpoint: loading %s into a nil model", source)
	}
	params, err := nn.StateDict(m)
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	counters := map[string]bool{}
	for _, name := range batchCounters(m) {
		counters[name] = true
	}
	var rep Report
	renamed := map[string]*tensor.Dense{}
	prefix := opt.StripPrefix
	if prefix == "" && allHavePrefix(file, "module.") {
		prefix = "module."
	}
	for name, t := range file {
		if !strings.HasPrefix(name, prefix) {
			rep.Ignored = append(rep.Ignored, name)
			continue
		}
		short := strings.TrimPrefix(name, prefix)
		if ignored(short, opt.Ignore) {
			rep.Ignored = append(rep.Ignored, short)
			continue
		}
		renamed[short] = t
	}

	staged := map[*nn.Param][]float32{}
	for name, t := range renamed {
		p, ok := params[name]
		if !ok {
			// BatchNorm counters are accepted silently, as PyTorch accepts
			// checkpoints from before it had them.
			if !counters[name] {
				rep.Unexpected = append(rep.Unexpected, name)
			}
			continue
		}
		if t == nil {
			rep.Mismatched = append(rep.Mismatched, name+": nil tensor")
			continue
		}
		if !sameShape(t.Shape(), p.Value.Shape()) {
			rep.Mismatched = append(rep.Mismatched, fmt.Sprintf("%s: file %v, model %v", name, dims(t.Shape()), dims(p.Value.Shape())))
			continue
		}
		if p.Size() == 0 {
			staged[p] = nil
			continue
		}
		v, err := toFloat32(t)
		if err != nil {
			rep.Mismatched = append(rep.Mismatched, fmt.Sprintf("%s: file %v, model float32", name, t.Dtype()))
			continue
		}
		staged[p] = v
	}
	for name := range params {
		if _, ok := renamed[name]; !ok {
			rep.Missing = append(rep.Missing, name)
		}
	}
	for p := range staged {
		rep.Loaded = append(rep.Loaded, p.Name)
	}
	for _, s := range [][]string{rep.Loaded, rep.Missing, rep.Unexpected, rep.Mismatched, rep.Ignored} {
		sort.Strings(s)
	}
	if opt.Report != nil {
		*opt.Report = rep
	}
	if !opt.NonStrict && !rep.OK() {
		return &LoadError{Source: source, Report: rep, Hint: prefixHint(renamed, params, prefix)}
	}
	for p, v := range staged {
		if err := p.Set(v); err != nil {
			return fmt.Errorf("checkpoint: %s: %v", source, err)
		}
	}
	return nil
}

func allHavePrefix(file map[string]*tensor.Dense, prefix string) bool {
	if len(file) == 0 {
		return false
	}
	for name := range file {
		if !strings.HasPrefix(name, prefix) {
			return false
		}
	}
	return true
}

func ignored(name string, patterns []string) bool {
	for _, p := range patterns {
		if name == p || (strings.HasSuffix(p, ".") && strings.HasPrefix(name, p)) {
			return true
		}
	}
	return false
}

// prefixHint looks for a prefix of up to three name components
// ("backbone.", "module.encoder_q.") whose removal would let at least half
// of the model's tensors match, and suggests it.
// file's names have had stripped removed already.
func prefixHint(file map[string]*tensor.Dense, params map[string]*nn.Param, stripped string) string {
	if stripped != "" && len(file) == 0 {
		return fmt.Sprintf("no tensor name in the file starts with StripPrefix %q", stripped)
	}
	counts := map[string]int{}
	for name := range file {
		cut := 0
		for k := 0; k < 3; k++ {
			i := strings.Index(name[cut:], ".")
			if i < 0 {
				break
			}
			cut += i + 1
			if _, ok := params[name[cut:]]; ok {
				counts[name[:cut]]++
			}
		}
	}
	best, bestN := "", 0
	for p, n := range counts {
		if n > bestN || (n == bestN && p < best) {
			best, bestN = p, n
		}
	}
	if bestN > 0 && 2*bestN >= len(params) {
		return fmt.Sprintf("%d of the model's %d tensors match with LoadOptions.StripPrefix = %q", bestN, len(params), stripped+best)
	}
	return ""
}

func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// dims prints a shape as PyTorch's torch.Size does, with [] for scalars.
func dims(s tensor.Shape) []int {
	if s == nil {
		return []int{}
	}
	return []int(s)
}
