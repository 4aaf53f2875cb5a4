package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/method"
)

func TestSimCLRLossFalls(t *testing.T) {
	var log bytes.Buffer
	opt := DefaultOptions()
	opt.Steps, opt.Epochs, opt.Log = 30, 0, &log
	tr, err := NewTrainer(simclr(t), loader(t, 64, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	l := tr.Losses()
	t.Log(log.String())
	t.Log(l)
	first, last := mean(l[:5]), mean(l[len(l)-5:])
	if !(last < first*0.9) {
		t.Errorf("loss went from %.4f to %.4f in 30 steps", first, last)
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

type recorder struct {
	steps   []int
	n       int
	metrics []map[string]float64
	onStep  func(i int)
}

func (r *recorder) Step(i, n int, m map[string]float64) {
	r.steps = append(r.steps, i)
	r.n = n
	r.metrics = append(r.metrics, m)
	if r.onStep != nil {
		r.onStep(i)
	}
}

func quiet(steps int) Options {
	o := DefaultOptions()
	o.Epochs, o.Steps, o.Log = 0, steps, io.Discard
	return o
}

func run(t *testing.T, steps int) []float64 {
	t.Helper()
	tr, err := NewTrainer(simclr(t), loader(t, 40, 16), quiet(steps))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr.Losses()
}

func TestSameSeedSameLossCurve(t *testing.T) {
	a, b := run(t, 8), run(t, 8)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: %v vs %v", i, a[i], b[i])
		}
	}
}

// Cancelling in a callback stops the run before the next step; the loss
// history and the model are those of the steps done, a second Fit
// continues, and Save/Resume into a fresh trainer gives the loss curve of
// an uninterrupted run, bit for bit (across an epoch boundary and the
// partial last batch of 40 images in batches of 16).
func TestCancelResumeGivesTheSameCurve(t *testing.T) {
	want := run(t, 8)

	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{onStep: func(i int) {
		if i == 4 {
			cancel()
		}
	}}
	opt := quiet(8)
	opt.Callbacks = []Stepper{rec}
	m := simclr(t)
	tr, err := NewTrainer(m, loader(t, 40, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Fit(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit after cancel: %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "step 4 (epoch 1, batch 1)") {
		t.Errorf("error %q does not say where it stopped", err)
	}
	if got := tr.Losses(); len(got) != 4 || got[3] != want[3] {
		t.Fatalf("history after cancel %v, want the first 4 of %v", got, want)
	}
	path := filepath.Join(t.TempDir(), "run.safetensors")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}

	fresh, err := NewTrainer(simclr(t), loader(t, 40, 16), quiet(8))
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Resume(path); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := fresh.Losses()
	if len(got) != len(want) {
		t.Fatalf("resumed run has %d losses, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("resumed curve differs at step %d: %v vs %v\n%v\n%v", i, got[i], want[i], got, want)
		}
	}
	// The interrupted trainer itself continues too.
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := tr.Losses(); got[7] != want[7] {
		t.Errorf("continued run ends at %v, want %v", got[7], want[7])
	}
	// A checkpoint of another method is refused.
	other, _ := NewTrainer(byolForTest(t), loader(t, 40, 16), quiet(8))
	if err := other.Resume(path); err == nil || !strings.Contains(err.Error(), "SimCLR") {
		t.Errorf("resuming BYOL from a SimCLR checkpoint: %v", err)
	}
}

func byolForTest(t *testing.T) method.Method {
	o := method.DefaultBYOLOptions()
	o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 8, 16
	m, err := method.NewBYOL(tinyCNN(t, 1), o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The notebook's interrupt (sslkit/ambient) stops Fit too.
func TestNotebookInterruptStops(t *testing.T) {
	cell, interrupt := context.WithCancel(context.Background())
	defer ambient.Set(cell)()
	rec := &recorder{onStep: func(i int) {
		if i == 2 {
			interrupt()
		}
	}}
	opt := quiet(8)
	opt.Callbacks = []Stepper{rec}
	tr, err := NewTrainer(simclr(t), loader(t, 40, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit: %v, want context.Canceled", err)
	}
	if len(tr.Losses()) != 2 {
		t.Errorf("%d steps ran, want 2", len(tr.Losses()))
	}
}

func TestNaNLossNamesTheStep(t *testing.T) {
	m := simclr(t)
	tr, err := NewTrainer(m, loader(t, 40, 16), quiet(8))
	if err != nil {
		t.Fatal(err)
	}
	tr.opt.Steps = 2
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.opt.Steps = 8
	fc := m.Params()[len(m.Params())-1] // projector's last bias
	fc.Data()[0] = float32(math.NaN())
	before := append([]float32(nil), m.Params()[0].Data()...)
	err = tr.Fit(context.Background())
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("Fit with a NaN weight: %v, want ErrNonFinite", err)
	}
	if !strings.Contains(err.Error(), "step 2 (epoch 0, batch 2)") {
		t.Errorf("error %q does not name the step", err)
	}
	for i, v := range m.Params()[0].Data() {
		if v != before[i] {
			t.Fatal("the parameters changed in the failed step")
		}
	}
	if len(tr.Losses()) != 2 {
		t.Errorf("history %v", tr.Losses())
	}
}

// 33 images in batches of 16 give batches of 16, 16 and 1; the last is
// skipped with a note (BatchNorm needs two). 34 give a last batch of 2,
// run through a second cached graph.
func TestPartialBatches(t *testing.T) {
	for _, c := range []struct {
		images, steps, graphs int
		note                  bool
	}{{33, 2, 1, true}, {34, 3, 2, false}} {
		var log bytes.Buffer
		opt := DefaultOptions()
		opt.Epochs, opt.Log = 1, &log
		tr, err := NewTrainer(simclr(t), loader(t, c.images, 16), opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Fit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(tr.Losses()) != c.steps || len(tr.graphs) != c.graphs {
			t.Errorf("%d images: %d steps, %d graphs; want %d, %d", c.images, len(tr.Losses()), len(tr.graphs), c.steps, c.graphs)
		}
		if got := strings.Contains(log.String(), "skipping a batch of 1 image"); got != c.note {
			t.Errorf("%d images: log %q", c.images, log.String())
		}
		first := strings.SplitN(log.String(), "\n", 2)[0]
		for _, w := range []string{"SimCLR", "tiny-cnn", "2560 parameters", "batch 16", "2 views", "3 steps", "SGD", "gemm: " + gemm.Backend(), "; device: "} {
			if !strings.Contains(first, w) {
				t.Errorf("first log line %q lacks %q", first, w)
			}
		}
	}
}

func TestCallbacksAndClipping(t *testing.T) {
	rec := &recorder{}
	opt := quiet(5)
	opt.Callbacks = []Stepper{rec}
	opt.ClipNorm = 1e-3
	opt.Schedule = CosineWarmup{Warmup: 2}
	m := simclr(t)
	before := append([]float32(nil), m.Params()[0].Data()...)
	tr, err := NewTrainer(m, loader(t, 40, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.steps) != 5 || rec.steps[4] != 5 || rec.n != 5 {
		t.Fatalf("callback saw steps %v of %d", rec.steps, rec.n)
	}
	if rec.metrics[0]["lr"] != 0.06*0.5 || rec.metrics[0]["loss"] != tr.Losses()[0] {
		t.Errorf("first metrics %v", rec.metrics[0])
	}
	// With the global norm clipped to 1e-3 and lr ≤ 0.06, momentum 0.9 and
	// a small weight decay, no weight moves by more than 5·0.06·1e-3·10.
	for i, v := range m.Params()[0].Data() {
		if d := math.Abs(float64(v - before[i])); d > 5*0.06*1e-3*10 {
			t.Fatalf("weight %d moved by %g despite clipping", i, d)
		}
	}
}

func TestNewTrainerErrors(t *testing.T) {
	m := simclr(t)
	l := loader(t, 40, 16)
	if _, err := NewTrainer(m, l, Options{}); err == nil {
		t.Error("no epochs and no steps accepted")
	}
	if _, err := NewTrainer(nil, l, DefaultOptions()); err == nil {
		t.Error("nil method accepted")
	}
	o := DefaultOptions()
	o.ClipNorm = -1
	if _, err := NewTrainer(m, l, o); err == nil {
		t.Error("negative ClipNorm accepted")
	}
}

// Without MinBatch a batch of one image is a clear error for a model with
// BatchNorm, naming where it happened.
func TestBatchOfOneIsAnError(t *testing.T) {
	opt := quiet(0)
	opt.Epochs, opt.MinBatch = 1, 0
	tr, err := NewTrainer(simclr(t), loader(t, 17, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Fit(context.Background())
	if err == nil || !strings.Contains(err.Error(), "batch of 1 image") || !strings.Contains(err.Error(), "epoch 0, batch 1") {
		t.Fatalf("Fit: %v", err)
	}
	if len(tr.Losses()) != 1 {
		t.Errorf("%d steps before the error, want 1", len(tr.Losses()))
	}
	if err := tr.Close(); err != nil || len(tr.graphs) != 0 {
		t.Errorf("Close: %v, %d graphs left", err, len(tr.graphs))
	}
}
