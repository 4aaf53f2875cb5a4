package eval

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/nn"
)

// EmbedOptions configure Embed.
type EmbedOptions struct {
	// BatchSize is the number of images per forward pass (default 256).
	BatchSize int
	// Transform, if not nil, maps each image before the model sees it
	// (normalisation with the training mean and std, a resize). It may
	// modify img in place: Item returns a fresh tensor.
	Transform func(img *tensor.Dense) (*tensor.Dense, error)
	// Progress, if not nil, is called after each batch with the number of
	// images embedded so far and the total (a notebook progress bar).
	Progress func(done, total int)
}

// DefaultEmbedOptions returns batches of 256 images, no transform and no
// progress callback; change the fields you need.
func DefaultEmbedOptions() EmbedOptions { return EmbedOptions{BatchSize: 256} }

// Embed computes the features of every image of ds with model frozen in
// evaluation mode (BatchNorm uses its running statistics, Dropout is off),
// and restores each module's previous mode before returning. Images go
// through the model in batches of opt.BatchSize; graphs have static shapes,
// so one graph is built for the full batch size and one for the last
// partial batch, and each is reused. The next batch is read on another
// goroutine while the current one runs. Outputs of more than two
// dimensions are flattened per image. Embed stops with ctx's error when ctx
// or the notebook cell (sslkit/ambient) is cancelled.
//
// For raw-pixel baselines pass nn.Flatten{} as the model.
func Embed(ctx context.Context, model nn.Module, ds data.Dataset, opt EmbedOptions) (*Features, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	if model == nil || isNil(model) {
		return nil, fmt.Errorf("eval: Embed: nil model")
	}
	if ds == nil || isNil(ds) {
		return nil, fmt.Errorf("eval: Embed: nil dataset")
	}
	if opt.BatchSize < 1 {
		return nil, fmt.Errorf("eval: Embed: BatchSize %d must be ≥ 1 (start from eval.DefaultEmbedOptions())", opt.BatchSize)
	}
	n, err := safeLen(ds)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("eval: Embed: empty dataset")
	}
	restore := freeze(model)
	defer restore()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := prefetch(ctx, ds, n, opt)

	var out *Features
	runners := map[int]*runner{}
	defer func() {
		for _, r := range runners {
			r.vm.Close()
		}
	}()
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		if err := ambient.Err(ctx); err != nil {
			return nil, fmt.Errorf("eval: Embed: %w", err)
		}
		r := runners[b.size]
		if r == nil {
			if r, err = newRunner(model, b.x.Shape()); err != nil {
				return nil, fmt.Errorf("eval: Embed: batch at image %d: %w", b.start, err)
			}
			runners[b.size] = r
		}
		if out == nil {
			out = &Features{N: n, D: r.dim, Data: make([]float32, n*r.dim), Labels: make([]int, n)}
		} else if r.dim != out.D {
			return nil, fmt.Errorf("eval: Embed: batch at image %d gives %d features, earlier batches %d", b.start, r.dim, out.D)
		}
		if err := r.run(b.x, out.Data[b.start*out.D:(b.start+b.size)*out.D]); err != nil {
			return nil, fmt.Errorf("eval: Embed: batch at image %d: %w", b.start, err)
		}
		copy(out.Labels[b.start:], b.labels)
		if opt.Progress != nil {
			opt.Progress(b.start+b.size, n)
		}
	}
	if err := ambient.Err(ctx); err != nil {
		return nil, fmt.Errorf("eval: Embed: %w", err)
	}
	if out == nil {
		return nil, fmt.Errorf("eval: Embed: no batch was produced")
	}
	return out, nil
}

// runner is one compiled forward graph for one batch shape.
type runner struct {
	g   *G.ExprGraph
	x   *G.Node
	y   G.Value
	vm  G.VM
	dim int
}

// graphsBuilt counts the forward graphs Embed has built (tests check that
// a run builds one per batch size, not one per batch).
var graphsBuilt atomic.Int64

func newRunner(model nn.Module, shape tensor.Shape) (r *runner, err error) {
	graphsBuilt.Add(1)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("building the graph panicked: %v", p)
		}
	}()
	r = &runner{g: G.NewGraph()}
	r.x = G.NewTensor(r.g, tensor.Float32, shape.Dims(), G.WithShape(shape.Clone()...), G.WithName("eval.input"))
	y, err := model.Forward(r.x)
	if err != nil {
		return nil, err
	}
	ys := y.Shape()
	if len(ys) < 1 || ys[0] != shape[0] {
		return nil, fmt.Errorf("model output has shape %v for a batch of %d", ys, shape[0])
	}
	r.dim = 1
	for _, d := range ys[1:] {
		r.dim *= d
	}
	if y.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("model output has dtype %v, want float32", y.Dtype())
	}
	// Read copies the output: the tape machine may reuse y's memory.
	G.Read(y, &r.y)
	r.vm = G.NewTapeMachine(r.g)
	return r, nil
}

func (r *runner) run(x *tensor.Dense, dst []float32) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("forward pass panicked: %v", p)
		}
	}()
	defer r.vm.Reset()
	if err := G.Let(r.x, x); err != nil {
		return err
	}
	if err := r.vm.RunAll(); err != nil {
		return err
	}
	v, ok := r.y.Data().([]float32)
	if !ok || len(v) != len(dst) {
		return fmt.Errorf("model output has %d values, want %d", len(v), len(dst))
	}
	copy(dst, v)
	return nil
}

// freeze puts every module of m in evaluation mode and returns a function
// that gives each its previous mode back.
func freeze(m nn.Module) (restore func()) {
	type saved struct {
		s        nn.ModeSetter
		training bool
	}
	var prev []saved
	nn.Walk(m, func(x nn.Module) {
		if s, ok := x.(nn.ModeSetter); ok {
			prev = append(prev, saved{s, isTraining(x)})
		}
	})
	nn.SetTraining(m, false)
	return func() {
		for _, p := range prev {
			p.s.SetTraining(p.training)
		}
	}
}

// isTraining reads a module's mode: through a Training() bool method when
// it has one, else from the unexported `training` field that sslkit/nn's
// layers keep, else assumes training (the mode layers are built in).
func isTraining(m nn.Module) bool {
	if t, ok := m.(interface{ Training() bool }); ok {
		return t.Training()
	}
	v := reflect.ValueOf(m)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("training"); f.IsValid() && f.Kind() == reflect.Bool {
			return f.Bool()
		}
	}
	return true
}

type batch struct {
	start, size int
	x           *tensor.Dense
	labels      []int
	err         error
}

// prefetch assembles batches on one goroutine, one batch ahead of the
// forward pass. Dataset and Transform are called from that goroutine only,
// in index order, so they need not be safe for concurrent use.
func prefetch(ctx context.Context, ds data.Dataset, n int, opt EmbedOptions) <-chan batch {
	out := make(chan batch, 1)
	go func() {
		defer close(out)
		var shape []int
		for start := 0; start < n; start += opt.BatchSize {
			if ambient.Err(ctx) != nil {
				return
			}
			size := min(opt.BatchSize, n-start)
			b := batch{start: start, size: size, labels: make([]int, size)}
			var buf []float32
			for i := 0; i < size && b.err == nil; i++ {
				img, label, err := item(ds, start+i, opt.Transform)
				switch {
				case err != nil:
					b.err = err
				case shape == nil:
					shape = append([]int(nil), img.Shape()...)
				case !img.Shape().Eq(tensor.Shape(shape)):
					b.err = fmt.Errorf("eval: Embed: image %d has shape %v, image 0 %v", start+i, img.Shape(), tensor.Shape(shape))
				}
				if b.err != nil {
					break
				}
				if img.IsMaterializable() { // a view: copy its elements out
					if img, err = denseCopy(img); err != nil {
						b.err = fmt.Errorf("eval: Embed: image %d: %w", start+i, err)
						break
					}
				}
				v, ok := img.Data().([]float32)
				if !ok || len(v) != img.Shape().TotalSize() {
					b.err = fmt.Errorf("eval: Embed: image %d has dtype %v and %d values, want float32 and %d", start+i, img.Dtype(), len(v), img.Shape().TotalSize())
					break
				}
				if buf == nil {
					buf = make([]float32, 0, size*len(v))
				}
				buf = append(buf, v...)
				b.labels[i] = label
			}
			if b.err == nil {
				b.x = tensor.New(tensor.WithShape(append([]int{size}, shape...)...), tensor.WithBacking(buf))
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return out
}

// item reads image i and applies the transform, turning panics of
// user-supplied (possibly interpreted) code into errors: a panic on this
// goroutine would otherwise end the whole process.
func item(ds data.Dataset, i int, transform func(*tensor.Dense) (*tensor.Dense, error)) (img *tensor.Dense, label int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("eval: Embed: image %d: panic: %v", i, p)
		}
	}()
	img, label, err = ds.Item(i)
	if err != nil {
		return nil, 0, fmt.Errorf("eval: Embed: image %d: %w", i, err)
	}
	if img == nil {
		return nil, 0, fmt.Errorf("eval: Embed: image %d: dataset returned a nil image", i)
	}
	if transform != nil {
		if img, err = transform(img); err != nil {
			return nil, 0, fmt.Errorf("eval: Embed: image %d: transform: %w", i, err)
		}
		if img == nil {
			return nil, 0, fmt.Errorf("eval: Embed: image %d: transform returned a nil image", i)
		}
	}
	return img, label, nil
}

func denseCopy(t *tensor.Dense) (*tensor.Dense, error) {
	d, ok := t.Materialize().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("cannot materialise a view of shape %v", t.Shape())
	}
	return d, nil
}

func safeLen(ds data.Dataset) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("eval: Embed: dataset Len panicked: %v", p)
		}
	}()
	n = ds.Len()
	if n < 0 {
		return 0, fmt.Errorf("eval: Embed: dataset length %d", n)
	}
	return n, nil
}

func isNil(v any) bool {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return r.IsNil()
	}
	return false
}
