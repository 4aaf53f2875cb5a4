package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/method"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Stepper receives each step's metrics ("loss", "lr", and any loss terms
// the method reports): i counts the steps done (1 … n), n is the planned
// total. display.Progress satisfies it, so
// train.Options{Callbacks: []train.Stepper{display.NewProgress("SimCLR")}}
// shows a live progress bar and loss curve in a notebook.
type Stepper interface {
	Step(i, n int, metrics map[string]float64)
}

// Source yields the batches of each epoch; *data.Loader satisfies it.
// Batch b of epoch e must be the same every time it is asked for, so that
// a resumed run sees the batches an uninterrupted one would.
type Source interface {
	// Len is the number of batches per epoch.
	Len() int
	// Batch prepares batch b of epoch.
	Batch(ctx context.Context, epoch, b int) (data.Batch, error)
}

// prefetcher is a Source that prepares the next batches on other cores
// while a step runs (the data.Loader).
type prefetcher interface {
	EpochFrom(ctx context.Context, epoch, first int) *data.Iterator
}

// Options configure a Trainer.
type Options struct {
	// Epochs is the number of passes over the source; Steps, when
	// positive, stops the run after that many optimizer steps instead.
	Epochs, Steps int
	// Optimizer updates the method's parameters; nil means SGD with
	// DefaultSGDOptions over method.Params().
	Optimizer Optimizer
	// Schedule scales the optimizer's learning rate at each step; nil
	// keeps it constant.
	Schedule Schedule
	// ClipNorm, when positive, rescales the gradients whenever their global
	// L2 norm exceeds it (torch.nn.utils.clip_grad_norm_).
	ClipNorm float64
	// MinBatch: batches with fewer images are skipped (logged once), since
	// BatchNorm in training mode needs two samples to have a variance
	// (DefaultOptions: 2). With 0, a batch of one image is an error for a
	// model with BatchNorm.
	MinBatch int
	// Callbacks receive every step's metrics.
	Callbacks []Stepper
	// Log receives the run's first line and notes; nil means os.Stdout,
	// io.Discard silences it.
	Log io.Writer
	// Device chooses where steps run: "auto", "cuda" or "cpu"; "" reads
	// GOSSL_DEVICE and defaults to auto (see sslkit/gpu.Select). The
	// first log line says which, and why not the GPU.
	Device string
}

// DefaultOptions: 10 epochs, SGD (lightly's settings) with a cosine
// schedule, no clipping, batches of fewer than 2 images skipped.
func DefaultOptions() Options {
	return Options{Epochs: 10, Schedule: CosineWarmup{}, MinBatch: 2}
}

// ErrNonFinite is wrapped by the error Fit returns when the loss or the
// gradients stop being finite numbers.
var ErrNonFinite = errors.New("not a finite number")

// Trainer runs a method over a source of batches. It builds and caches one
// compiled graph per batch shape (the last, smaller batch of an epoch gets
// its own), runs it, reads the gradients, optionally clips them, lets the
// optimizer update the parameters and then calls the method's AfterStep.
//
// Fit stops between steps when its context or the notebook cell
// (sslkit/ambient) is cancelled, leaving the model, the optimizer and the
// loss history as they were after the last completed step; calling Fit
// again continues from there.
type Trainer struct {
	m      method.Method
	src    Source
	opt    Options
	optim  Optimizer
	graphs map[string]*compiled

	epoch, batch, step int // the next batch to run; steps done
	losses             []float64
	logged, noted      bool
	device             string // one line: where steps run, and why
}

type compiled struct {
	vm     G.VM
	inputs []*G.Node
	step   *method.Step
	params []*nn.Param
	nodes  G.Nodes
}

// NewTrainer prepares a run of m over src.
func NewTrainer(m method.Method, src Source, opt Options) (*Trainer, error) {
	if m == nil || src == nil {
		return nil, fmt.Errorf("train: NewTrainer needs a method and a source")
	}
	if opt.Epochs < 0 || opt.Steps < 0 {
		return nil, fmt.Errorf("train: Epochs (%d) and Steps (%d) must not be negative", opt.Epochs, opt.Steps)
	}
	if opt.Epochs == 0 && opt.Steps == 0 {
		return nil, fmt.Errorf("train: set Epochs or Steps (both are 0)")
	}
	if src.Len() < 1 {
		return nil, fmt.Errorf("train: the source has no batches")
	}
	if !(opt.ClipNorm >= 0) {
		return nil, fmt.Errorf("train: ClipNorm %g must be ≥ 0", opt.ClipNorm)
	}
	if len(m.Params()) == 0 {
		return nil, fmt.Errorf("train: %s has no trainable parameters", m.Name())
	}
	device, err := chooseDevice(opt.Device)
	if err != nil {
		return nil, err
	}
	t := &Trainer{m: m, src: src, opt: opt, optim: opt.Optimizer, graphs: map[string]*compiled{}, device: device}
	if t.optim == nil {
		var err error
		if t.optim, err = NewSGD(m.Params(), DefaultSGDOptions()); err != nil {
			return nil, err
		}
	}
	if t.opt.Schedule == nil {
		t.opt.Schedule = Constant{}
	}
	if t.opt.Log == nil {
		t.opt.Log = os.Stdout
	}
	return t, nil
}

// Method is the method being trained.
func (t *Trainer) Method() method.Method { return t.m }

// Optimizer is the optimizer in use.
func (t *Trainer) Optimizer() Optimizer { return t.optim }

// Losses is the loss of every step run so far, in order (a copy).
func (t *Trainer) Losses() []float64 { return append([]float64(nil), t.losses...) }

// TotalSteps is the planned number of steps (the schedules' horizon).
func (t *Trainer) TotalSteps() int {
	if t.opt.Steps > 0 {
		return t.opt.Steps
	}
	return t.opt.Epochs * t.src.Len()
}

func (t *Trainer) totalEpochs() int {
	if t.opt.Steps > 0 {
		return (t.opt.Steps + t.src.Len() - 1) / t.src.Len()
	}
	return t.opt.Epochs
}

// Position is where the run stands: Step steps done, Epoch the epoch of
// the next batch.
func (t *Trainer) Position() method.Position {
	return method.Position{Step: t.step, Steps: t.TotalSteps(), Epoch: t.epoch, Epochs: t.totalEpochs()}
}

func (t *Trainer) done() bool {
	if t.opt.Steps > 0 {
		return t.step >= t.opt.Steps
	}
	return t.epoch >= t.opt.Epochs
}

// Fit runs until the planned epochs or steps are done, ctx is cancelled
// (the error then wraps context.Canceled) or a step fails.
func (t *Trainer) Fit(ctx context.Context) error {
	ctx, stop := ambient.Join(ctx) // the cell that called Fit, even after it replied
	defer stop()
	for !t.done() {
		if err := t.runEpoch(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (t *Trainer) stopped(err error) error {
	return fmt.Errorf("train: stopped before step %d (epoch %d, batch %d): %w", t.step, t.epoch, t.batch, err)
}

// runEpoch runs the rest of epoch t.epoch.
func (t *Trainer) runEpoch(ctx context.Context) error {
	n := t.src.Len()
	var it *data.Iterator
	if p, ok := t.src.(prefetcher); ok && t.batch < n {
		it = p.EpochFrom(ctx, t.epoch, t.batch)
		defer it.Close()
	}
	for t.batch < n && !t.done() {
		if err := ambient.Err(ctx); err != nil {
			return t.stopped(err)
		}
		var b data.Batch
		var err error
		if it != nil {
			b, err = it.Next()
			if err == io.EOF {
				err = fmt.Errorf("the loader ended at batch %d of %d", t.batch, n)
			}
		} else {
			b, err = t.src.Batch(ctx, t.epoch, t.batch)
		}
		if err != nil {
			if ierr := ambient.Err(ctx); ierr != nil {
				return t.stopped(ierr)
			}
			return fmt.Errorf("train: epoch %d, batch %d: %w", t.epoch, t.batch, err)
		}
		if err := t.runStep(ctx, b); err != nil {
			return err
		}
		t.batch++
	}
	if t.batch >= n {
		t.epoch++
		t.batch = 0
	}
	return nil
}

// key names a batch shape.
func key(views []*tensor.Dense) string {
	var sb strings.Builder
	for _, v := range views {
		fmt.Fprint(&sb, v.Shape(), ";")
	}
	return sb.String()
}

// graphFor returns the compiled graph for views' shapes, building it on
// first use.
func (t *Trainer) graphFor(views []*tensor.Dense) (*compiled, error) {
	k := key(views)
	if c, ok := t.graphs[k]; ok {
		return c, nil
	}
	g := G.NewGraph()
	c := &compiled{inputs: make([]*G.Node, len(views))}
	for i, v := range views {
		c.inputs[i] = G.NewTensor(g, tensor.Float32, v.Dims(), G.WithShape(v.Shape().Clone()...), G.WithName(fmt.Sprintf("view%d", i)))
	}
	st, err := t.m.BuildLoss(g, c.inputs)
	if err != nil {
		return nil, err
	}
	c.step = st
	c.params = t.m.Params()
	c.nodes = make(G.Nodes, len(c.params))
	for i, p := range c.params {
		c.nodes[i] = p.Node(g)
	}
	if _, err := G.Grad(st.Loss, c.nodes...); err != nil {
		return nil, fmt.Errorf("differentiating %s's loss: %w", t.m.Name(), err)
	}
	c.vm = G.NewTapeMachine(g)
	t.graphs[k] = c
	return c, nil
}

func (t *Trainer) logFirst(b data.Batch) {
	if t.logged {
		return
	}
	t.logged = true
	what := "training"
	if t.step > 0 {
		what = fmt.Sprintf("resuming at step %d of", t.step)
	}
	fmt.Fprintf(t.opt.Log, "%s %s on %s (%d parameters): batch %d, %s, %s (%s of %s), %s, gemm: %s; %s\n",
		what, t.m.Name(), method.BackboneName(t.m), method.CountParams(t.m), b.Views[0].Shape()[0], plural(len(b.Views), "view", "views"),
		plural(t.TotalSteps(), "step", "steps"), plural(t.totalEpochs(), "epoch", "epochs"), plural(t.src.Len(), "batch", "batches"), t.optim.Name(), gemm.Backend(), t.device)
}

// hasBatchNorm reports whether m's encoder normalises with batch statistics.
func hasBatchNorm(m method.Method) bool {
	found := false
	nn.Walk(m.Encoder(), func(x nn.Module) {
		if _, ok := x.(*nn.BatchNorm); ok {
			found = true
		}
	})
	return found
}

// Close releases the compiled graphs (their memory); a later Fit builds
// them again.
func (t *Trainer) Close() error {
	for k, c := range t.graphs {
		c.vm.Close()
		delete(t.graphs, k)
	}
	return nil
}

// plural is "1 step", "2 steps".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// runStep runs one batch: graph, gradients, update, AfterStep.
func (t *Trainer) runStep(ctx context.Context, b data.Batch) error {
	where := fmt.Sprintf("step %d (epoch %d, batch %d)", t.step, t.epoch, t.batch)
	if len(b.Views) == 0 || b.Views[0] == nil || b.Views[0].Dims() != 4 {
		return fmt.Errorf("train: %s: the batch has no (N, C, H, W) views", where)
	}
	t.logFirst(b)
	if n := b.Views[0].Shape()[0]; n < t.opt.MinBatch {
		if !t.noted {
			fmt.Fprintf(t.opt.Log, "train: skipping a batch of %d image(s) at epoch %d, batch %d: BatchNorm needs at least %d (set Options.MinBatch to change)\n", n, t.epoch, t.batch, t.opt.MinBatch)
			t.noted = true
		}
		return nil
	}
	if n := b.Views[0].Shape()[0]; n < 2 && hasBatchNorm(t.m) {
		return fmt.Errorf("train: %s: a batch of %d image(s), but BatchNorm in training mode needs at least 2; set Options.MinBatch to 2 to skip such batches, or DropLast in the loader", where, n)
	}
	c, err := t.graphFor(b.Views)
	if err != nil {
		return fmt.Errorf("train: %s: building the graph for views %s: %w", where, key(b.Views), err)
	}
	if len(b.Views) != len(c.inputs) {
		return fmt.Errorf("train: %s: %d views, the graph has %d", where, len(b.Views), len(c.inputs))
	}
	for i, v := range b.Views {
		if err := G.Let(c.inputs[i], v); err != nil {
			return fmt.Errorf("train: %s: view %d: %w", where, i, err)
		}
	}
	at := t.Position()
	if err := t.m.BeforeStep(at); err != nil {
		return fmt.Errorf("train: %s: %w", where, err)
	}
	c.vm.Reset()
	if err := c.vm.RunAll(); err != nil {
		if ierr := ambient.Err(ctx); ierr != nil {
			// An op noticed the interrupt mid-step: nothing was updated
			// but BatchNorm running statistics of the layers already run.
			return t.stopped(ierr)
		}
		return fmt.Errorf("train: %s: %w", where, err)
	}
	lossV := c.step.LossValue()
	if math.IsNaN(lossV) || math.IsInf(lossV, 0) {
		return fmt.Errorf("train: %s of %s: the loss is %v (%w); the parameters keep their values from before this step — lower the learning rate or set ClipNorm", where, t.m.Name(), lossV, ErrNonFinite)
	}
	grads := make(map[*nn.Param][]float32, len(c.params))
	sq := 0.0
	for i, p := range c.params {
		gv, err := c.nodes[i].Grad()
		if err != nil {
			return fmt.Errorf("train: %s: gradient of %s: %w", where, p.Name, err)
		}
		g, ok := gv.Data().([]float32)
		if !ok || len(g) != p.Size() {
			return fmt.Errorf("train: %s: gradient of %s is %T of shape %v", where, p.Name, gv.Data(), gv.Shape())
		}
		for _, x := range g {
			sq += float64(x) * float64(x)
		}
		grads[p] = g
	}
	norm := math.Sqrt(sq)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return fmt.Errorf("train: %s of %s: the gradient norm is %v (%w); the parameters keep their values from before this step", where, t.m.Name(), norm, ErrNonFinite)
	}
	if t.opt.ClipNorm > 0 && norm > t.opt.ClipNorm {
		s := float32(t.opt.ClipNorm / (norm + 1e-6))
		for _, g := range grads {
			for i := range g {
				g[i] *= s
			}
		}
	}
	lr := t.optim.LR() * t.opt.Schedule.Factor(t.step, t.TotalSteps())
	if err := t.optim.Step(lr, grads); err != nil {
		return fmt.Errorf("train: %s: %w", where, err)
	}
	if err := t.m.AfterStep(c.step, at); err != nil {
		return fmt.Errorf("train: %s: %w", where, err)
	}
	t.step++
	t.losses = append(t.losses, lossV)
	if len(t.opt.Callbacks) > 0 {
		metrics := c.step.Metrics()
		metrics["lr"] = lr
		for _, cb := range t.opt.Callbacks {
			if cb != nil {
				cb.Step(t.step, t.TotalSteps(), metrics)
			}
		}
	}
	return nil
}
