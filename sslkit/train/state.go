package train

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gossl/gossl/sslkit/checkpoint"
	"gorgonia.org/tensor"
)

// metaKey holds the trainer's position in a checkpoint's metadata.
const metaKey = "gossl.trainer"

// optimPrefix prefixes the optimizer's state tensors in a checkpoint.
const optimPrefix = "optimizer."

type savedPosition struct {
	Method    string    `json:"method"`
	Optimizer string    `json:"optimizer"`
	Epoch     int       `json:"epoch"`
	Batch     int       `json:"batch"`
	Step      int       `json:"step"`
	Losses    []float64 `json:"losses"`
}

// State returns everything a resumed run needs: the method's tensors
// (parameters, buffers, teacher, queue, centres) under their names, the
// optimizer's state under "optimizer.<param>.<slot>", and the position and
// loss history as metadata. The tensors are the live ones, not copies.
func (t *Trainer) State() (map[string]*tensor.Dense, map[string]string, error) {
	tensors := map[string]*tensor.Dense{}
	for _, p := range t.m.Tensors() {
		tensors[p.Name] = p.Value
	}
	for k, v := range t.optim.State() {
		name := optimPrefix + k
		if _, dup := tensors[name]; dup {
			return nil, nil, fmt.Errorf("train: tensor name %q is used by the method and the optimizer", name)
		}
		tensors[name] = v
	}
	pos, err := json.Marshal(savedPosition{Method: t.m.Name(), Optimizer: t.optim.Name(),
		Epoch: t.epoch, Batch: t.batch, Step: t.step, Losses: t.losses})
	if err != nil {
		return nil, nil, err
	}
	return tensors, map[string]string{metaKey: string(pos)}, nil
}

// LoadState restores what State returned into this trainer, whose method
// and optimizer must be built like the saved ones.
func (t *Trainer) LoadState(tensors map[string]*tensor.Dense, meta map[string]string) error {
	raw, ok := meta[metaKey]
	if !ok {
		return fmt.Errorf("train: the checkpoint has no %q metadata (not a trainer checkpoint)", metaKey)
	}
	var pos savedPosition
	if err := json.Unmarshal([]byte(raw), &pos); err != nil {
		return fmt.Errorf("train: reading %q: %w", metaKey, err)
	}
	if pos.Method != t.m.Name() {
		return fmt.Errorf("train: the checkpoint is of %s, this trainer runs %s", pos.Method, t.m.Name())
	}
	if pos.Step < 0 || pos.Epoch < 0 || pos.Batch < 0 || pos.Batch >= t.src.Len() || len(pos.Losses) != pos.Step {
		return fmt.Errorf("train: the checkpoint's position (epoch %d, batch %d, step %d, %d losses) does not fit a source of %d batches", pos.Epoch, pos.Batch, pos.Step, len(pos.Losses), t.src.Len())
	}
	used := map[string]bool{}
	// Check everything before changing anything.
	for _, p := range t.m.Tensors() {
		v, ok := tensors[p.Name]
		if !ok {
			return fmt.Errorf("train: the checkpoint has no %q", p.Name)
		}
		if !v.Shape().Eq(p.Value.Shape()) || v.Dtype() != p.Value.Dtype() {
			return fmt.Errorf("train: %q is %v %v in the checkpoint, %v %v in the model", p.Name, v.Shape(), v.Dtype(), p.Value.Shape(), p.Value.Dtype())
		}
		used[p.Name] = true
	}
	optState := map[string]*tensor.Dense{}
	var unknown []string
	for name, v := range tensors {
		switch {
		case used[name]:
		case strings.HasPrefix(name, optimPrefix):
			optState[strings.TrimPrefix(name, optimPrefix)] = v
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("train: the checkpoint holds tensors %s's model does not have: %v", t.m.Name(), unknown)
	}
	if err := t.optim.LoadState(optState); err != nil {
		return err
	}
	for _, p := range t.m.Tensors() {
		copyInto(p.Value, tensors[p.Name])
	}
	t.epoch, t.batch, t.step = pos.Epoch, pos.Batch, pos.Step
	t.losses = append([]float64(nil), pos.Losses...)
	t.logged = false
	return nil
}

func copyInto(dst, src *tensor.Dense) {
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32))
	case []float64:
		copy(d, src.Data().([]float64))
	}
}

// Save writes the trainer's State to a safetensors file at path.
func (t *Trainer) Save(path string) error {
	tensors, meta, err := t.State()
	if err != nil {
		return err
	}
	return checkpoint.Save(path, tensors, meta)
}

// Resume loads a file written by Save; the next Fit continues from the
// saved step and, with the same data, gives the loss curve an
// uninterrupted run would have.
func (t *Trainer) Resume(path string) error {
	tensors, meta, err := checkpoint.Load(path)
	if err != nil {
		return err
	}
	if err := t.LoadState(tensors, meta); err != nil {
		return fmt.Errorf("%w (in %s)", err, path)
	}
	return nil
}
