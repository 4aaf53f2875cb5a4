package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gossl/gossl/sslkit/ambient"
	"gorgonia.org/tensor"
)

// LoaderOptions configures a Loader.
type LoaderOptions struct {
	// BatchSize is the number of images in a batch (required, > 0).
	BatchSize int
	// Shuffle visits the items in a new order each epoch, drawn from
	// (Seed, epoch); otherwise in dataset order.
	Shuffle bool
	// Seed fixes the shuffling and the rng each item's views are drawn
	// with (see SampleRand).
	Seed int64
	// DropLast drops the last batch of an epoch when it is smaller than
	// BatchSize; by default it is yielded.
	DropLast bool
	// Viewer makes each image's views; nil yields one view, the image.
	Viewer Viewer
	// Workers is the number of goroutines preparing batches; 0 means
	// GOMAXPROCS-1 (at least 1), leaving a core to the training step. The
	// dataset's Item and the Viewer's Views are called
	// from these goroutines concurrently; use 1 if they are not safe for
	// that.
	Workers int
	// Prefetch is the number of batches prepared ahead of the caller;
	// 0 means Workers+1.
	Prefetch int
}

// A Loader serves a dataset in batches of views, epoch by epoch:
//
//	loader, err := data.NewLoader(ds, data.LoaderOptions{BatchSize: 256, Shuffle: true, Seed: 1, Viewer: views})
//	it := loader.Epoch(ctx, epoch)
//	defer it.Close()
//	for {
//		b, err := it.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		// b.Views[0], b.Views[1]: (N, C, H, W); b.Labels; b.Indices
//	}
//
// Batch b of epoch e, views included, depends only on the dataset, the
// options' Seed, Shuffle, BatchSize and Viewer, e and b: not on Workers,
// Prefetch, timing or which epochs ran before.
type Loader struct {
	ds  Dataset
	opt LoaderOptions

	mu      sync.Mutex
	current *Iterator
}

// NewLoader checks the options and returns a Loader of ds.
func NewLoader(ds Dataset, opt LoaderOptions) (*Loader, error) {
	if ds == nil {
		return nil, errors.New("data: NewLoader: nil dataset")
	}
	if opt.BatchSize <= 0 {
		return nil, fmt.Errorf("data: NewLoader: BatchSize is %d; it must be positive", opt.BatchSize)
	}
	if opt.Workers < 0 || opt.Prefetch < 0 {
		return nil, fmt.Errorf("data: NewLoader: Workers (%d) and Prefetch (%d) must not be negative", opt.Workers, opt.Prefetch)
	}
	if opt.Workers == 0 {
		opt.Workers = max(1, runtime.GOMAXPROCS(0)-1)
	}
	if opt.Prefetch == 0 {
		opt.Prefetch = opt.Workers + 1
	}
	if ds.Len() == 0 {
		return nil, errors.New("data: NewLoader: empty dataset")
	}
	return &Loader{ds: ds, opt: opt}, nil
}

// Dataset returns the dataset the loader serves.
func (l *Loader) Dataset() Dataset { return l.ds }

// Options returns the loader's options, defaults filled in.
func (l *Loader) Options() LoaderOptions { return l.opt }

// Len returns the number of batches in an epoch.
func (l *Loader) Len() int {
	n, bs := l.ds.Len(), l.opt.BatchSize
	if l.opt.DropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Order returns the dataset indices in the order epoch visits them.
func (l *Loader) Order(epoch int) []int {
	if l.opt.Shuffle {
		return EpochOrder(l.opt.Seed, epoch, l.ds.Len())
	}
	order := make([]int, l.ds.Len())
	for i := range order {
		order[i] = i
	}
	return order
}

// Batch prepares batch b of epoch on the calling goroutine: the same batch
// an Iterator of that epoch yields at position b.
func (l *Loader) Batch(ctx context.Context, epoch, b int) (Batch, error) {
	if b < 0 || b >= l.Len() {
		return Batch{}, fmt.Errorf("data: batch %d out of range [0, %d)", b, l.Len())
	}
	if ctx == nil {
		ctx = ambient.Context()
	}
	return l.safeBuild(ctx, l.Order(epoch), epoch, b)
}

// Epoch starts preparing the batches of epoch on the loader's workers and
// returns the iterator that yields them in order. ctx (nil: the notebook
// cell's context) stops the workers when cancelled. A Loader runs one epoch
// at a time: Epoch closes the iterator of the previous call if it is still
// open, so an abandoned loop leaves no goroutines behind. Use two Loaders
// to iterate two epochs at once.
func (l *Loader) Epoch(ctx context.Context, epoch int) *Iterator {
	return l.EpochFrom(ctx, epoch, 0)
}

// EpochFrom is Epoch starting at batch first (to resume an interrupted
// epoch); first ≥ Len() gives an iterator that is at its end.
func (l *Loader) EpochFrom(ctx context.Context, epoch, first int) *Iterator {
	if ctx == nil {
		ctx = ambient.Context()
	}
	first = max(first, 0)
	// Joined with the cell's context now: an interrupted cell may reply
	// and the next one begin before this epoch notices.
	cell := ambient.Context()
	ctx, cancel := ambient.Join(ctx)
	it := &Iterator{loader: l, epoch: epoch, next: first, ctx: ctx, cancel: cancel, cell: cell}
	l.mu.Lock()
	prev := l.current
	l.current = it
	l.mu.Unlock()
	if prev != nil {
		prev.Close()
	}
	it.start(l.Order(epoch), first, l.Len())
	return it
}

// Close stops the loader's running epoch, if any.
func (l *Loader) Close() error {
	l.mu.Lock()
	it := l.current
	l.current = nil
	l.mu.Unlock()
	if it != nil {
		return it.Close()
	}
	return nil
}

// ErrClosed is returned by Next after Close, or after a newer Epoch of the
// same Loader replaced the iterator.
var ErrClosed = errors.New("data: iterator closed")

// An Iterator yields the batches of one epoch in order; the batches after
// the current one are being prepared meanwhile. Next is for one goroutine;
// Close may be called from any.
type Iterator struct {
	loader *Loader
	epoch  int
	next   int // number of the batch Next yields next

	ctx     context.Context
	cancel  context.CancelFunc
	cell    context.Context  // the notebook cell's context when the epoch began
	pending chan chan result // slots of upcoming batches, in order
	wg      sync.WaitGroup
	closed  atomic.Bool
	err     error // sticky: once Next fails or ends, it keeps returning this
}

type result struct {
	batch Batch
	err   error
}

type job struct {
	b    int
	slot chan result
}

func (it *Iterator) start(order []int, first, end int) {
	l := it.loader
	jobs := make(chan job)
	it.pending = make(chan chan result, l.opt.Prefetch)
	it.wg.Add(1)
	go func() { // dispatcher: hands out batches in order, at most Prefetch ahead of the caller
		defer it.wg.Done()
		defer close(it.pending)
		defer close(jobs)
		for b := first; b < end; b++ {
			slot := make(chan result, 1)
			select {
			case it.pending <- slot:
			case <-it.ctx.Done():
				return
			}
			select {
			case jobs <- job{b, slot}:
			case <-it.ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < l.opt.Workers; w++ {
		it.wg.Add(1)
		go func() {
			defer it.wg.Done()
			for j := range jobs {
				batch, err := l.safeBuild(it.ctx, order, it.epoch, j.b)
				j.slot <- result{batch, err} // buffered: never blocks
			}
		}()
	}
}

// Epoch returns the epoch the iterator serves.
func (it *Iterator) Epoch() int { return it.epoch }

// Position returns the number of the batch that Next returns next (the
// number of batches yielded so far, plus the first batch of EpochFrom).
func (it *Iterator) Position() int { return it.next }

// Next returns the next batch, or io.EOF after the last one. It fails with
// the context's error when the context (or the notebook cell) is
// cancelled, with ErrClosed after Close, and with the error of a dataset
// item or viewer that failed; after an error or io.EOF it keeps returning
// that, and the iterator's goroutines have ended.
func (it *Iterator) Next() (Batch, error) {
	if it.err != nil {
		return Batch{}, it.err
	}
	// Stopped iterators may still hold prepared batches; they are not
	// served.
	if it.closed.Load() || it.ctx.Err() != nil {
		return it.fail(nil)
	}
	interrupt := it.cell.Done()
	var slot chan result
	var ok bool
	select {
	case slot, ok = <-it.pending:
	case <-it.ctx.Done():
		return it.fail(nil)
	case <-interrupt:
		return it.fail(fmt.Errorf("data: epoch %d, batch %d: interrupted: %w", it.epoch, it.next, it.cell.Err()))
	}
	if !ok {
		if it.ctx.Err() != nil {
			return it.fail(nil)
		}
		return it.fail(io.EOF)
	}
	var r result
	select {
	case r = <-slot:
	case <-it.ctx.Done():
		return it.fail(nil)
	case <-interrupt:
		return it.fail(fmt.Errorf("data: epoch %d, batch %d: interrupted: %w", it.epoch, it.next, it.cell.Err()))
	}
	if r.err != nil {
		return it.fail(r.err)
	}
	it.next++
	return r.batch, nil
}

// fail stops the iterator and makes err (nil: the reason its context
// ended) what Next returns from now on.
func (it *Iterator) fail(err error) (Batch, error) {
	switch {
	case it.closed.Load():
		err = ErrClosed
	case err == nil:
		err = fmt.Errorf("data: epoch %d, batch %d: %w", it.epoch, it.next, it.ctx.Err())
	}
	it.err = err
	it.stop()
	return Batch{}, err
}

func (it *Iterator) stop() {
	it.cancel()
	it.wg.Wait()
}

// Close stops the workers and waits for them to end. It is safe to call
// more than once and from another goroutine than Next's.
func (it *Iterator) Close() error {
	it.closed.Store(true)
	it.stop()
	l := it.loader
	l.mu.Lock()
	if l.current == it {
		l.current = nil
	}
	l.mu.Unlock()
	return nil
}

// safeBuild is build with a panic of the dataset or viewer (user code,
// perhaps interpreted) turned into an error: a panic on a worker goroutine
// would end the whole process, notebook kernel included.
func (l *Loader) safeBuild(ctx context.Context, order []int, epoch, b int) (batch Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			batch, err = Batch{}, fmt.Errorf("data: epoch %d, batch %d: panic in the dataset or viewer: %v", epoch, b, r)
		}
	}()
	return l.build(ctx, order, epoch, b)
}

// build prepares batch b of an epoch whose visiting order is order.
func (l *Loader) build(ctx context.Context, order []int, epoch, b int) (Batch, error) {
	lo := b * l.opt.BatchSize
	hi := min(lo+l.opt.BatchSize, len(order))
	idx := order[lo:hi]
	n := len(idx)
	batch := Batch{Labels: make([]int, n), Indices: append([]int(nil), idx...)}
	var shapes []tensor.Shape
	var outs [][]float32
	for k, i := range idx {
		if err := ctx.Err(); err != nil {
			return Batch{}, fmt.Errorf("data: epoch %d, batch %d: %w", epoch, b, err)
		}
		img, label, err := l.ds.Item(i)
		if err != nil {
			return Batch{}, fmt.Errorf("data: epoch %d, batch %d: item %d: %w", epoch, b, i, err)
		}
		if img == nil {
			return Batch{}, fmt.Errorf("data: epoch %d, batch %d: item %d: nil image", epoch, b, i)
		}
		batch.Labels[k] = label
		views := []*tensor.Dense{img}
		if l.opt.Viewer != nil {
			views, err = l.opt.Viewer.Views(img, SampleRand(l.opt.Seed, epoch, i))
			if err != nil {
				return Batch{}, fmt.Errorf("data: epoch %d, batch %d: views of item %d: %w", epoch, b, i, err)
			}
		}
		if k == 0 {
			if len(views) == 0 {
				return Batch{}, fmt.Errorf("data: epoch %d, batch %d: item %d has no views", epoch, b, i)
			}
			shapes = make([]tensor.Shape, len(views))
			outs = make([][]float32, len(views))
			batch.Views = make([]*tensor.Dense, len(views))
			for v, t := range views {
				if t == nil {
					return Batch{}, fmt.Errorf("data: epoch %d, batch %d: view %d of item %d is nil", epoch, b, v, i)
				}
				if t.Dims() != 3 {
					return Batch{}, fmt.Errorf("data: epoch %d, batch %d: view %d of item %d has shape %v, want (C, H, W)", epoch, b, v, i, t.Shape())
				}
				shapes[v] = t.Shape().Clone()
				outs[v] = make([]float32, n*shapes[v].TotalSize())
				batch.Views[v] = tensor.New(tensor.WithShape(append([]int{n}, shapes[v]...)...), tensor.WithBacking(outs[v]))
			}
		} else if len(views) != len(shapes) {
			return Batch{}, fmt.Errorf("data: epoch %d, batch %d: item %d has %d views but item %d has %d", epoch, b, i, len(views), idx[0], len(shapes))
		}
		for v, t := range views {
			if t == nil {
				return Batch{}, fmt.Errorf("data: epoch %d, batch %d: view %d of item %d is nil", epoch, b, v, i)
			}
			if !t.Shape().Eq(shapes[v]) {
				return Batch{}, fmt.Errorf("data: epoch %d, batch %d: view %d of item %d has shape %v but view %d of item %d has %v; a batch stacks views of one shape", epoch, b, v, i, t.Shape(), v, idx[0], shapes[v])
			}
			src, err := float32s(t)
			if err != nil {
				return Batch{}, fmt.Errorf("data: epoch %d, batch %d: view %d of item %d: %w", epoch, b, v, i, err)
			}
			size := len(src)
			copy(outs[v][k*size:(k+1)*size], src)
		}
	}
	return batch, nil
}
