package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gossl/gossl/sslkit/ambient"
	"gorgonia.org/tensor"
)

// noiseViewer makes two views whose values depend on the rng: the image
// scaled by a random factor, and the image plus per-pixel noise.
type noiseViewer struct{}

func (noiseViewer) Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error) {
	src := img.Data().([]float32)
	a := make([]float32, len(src))
	b := make([]float32, len(src))
	f := rng.Float32()
	for i, v := range src {
		a[i] = v * f
		b[i] = v + rng.Float32()
	}
	s := img.Shape().Clone()
	return []*tensor.Dense{
		tensor.New(tensor.WithShape(s...), tensor.WithBacking(a)),
		tensor.New(tensor.WithShape(s...), tensor.WithBacking(b)),
	}, nil
}

// pixelSet is a 2×3×2 image per item, each pixel distinct, so stacking
// mistakes show.
func pixelSet(n int) *Images {
	pix := make([]uint8, n*12)
	for i := range pix {
		pix[i] = uint8(i * 7)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = (i * 5) % 11
	}
	m, _ := NewImages(2, 3, 2, pix, labels, nil)
	return m
}

func collect(t *testing.T, it *Iterator) []Batch {
	t.Helper()
	defer it.Close()
	var out []Batch
	for {
		b, err := it.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

func newLoader(t *testing.T, ds Dataset, opt LoaderOptions) *Loader {
	t.Helper()
	l, err := NewLoader(ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoaderCoversEpoch(t *testing.T) {
	ds := pixelSet(10)
	for _, drop := range []bool{false, true} {
		l := newLoader(t, ds, LoaderOptions{BatchSize: 4, Shuffle: true, Seed: 3, DropLast: drop})
		batches := collect(t, l.Epoch(context.Background(), 0))
		wantSizes := []int{4, 4, 2}
		if drop {
			wantSizes = []int{4, 4}
		}
		if len(batches) != len(wantSizes) || l.Len() != len(wantSizes) {
			t.Fatalf("drop %v: %d batches, Len %d, want %d", drop, len(batches), l.Len(), len(wantSizes))
		}
		seen := map[int]bool{}
		for bi, b := range batches {
			n := wantSizes[bi]
			if b.Size() != n || len(b.Labels) != n || len(b.Views) != 1 {
				t.Fatalf("batch %d: size %d, %d labels, %d views", bi, b.Size(), len(b.Labels), len(b.Views))
			}
			if s := b.Views[0].Shape(); !s.Eq(tensor.Shape{n, 2, 3, 2}) {
				t.Fatalf("batch %d: shape %v", bi, s)
			}
			data := b.Views[0].Data().([]float32)
			for k, i := range b.Indices {
				if seen[i] {
					t.Fatalf("item %d twice in one epoch", i)
				}
				seen[i] = true
				if b.Labels[k] != ds.Labels[i] {
					t.Fatalf("batch %d row %d: label %d, want %d", bi, k, b.Labels[k], ds.Labels[i])
				}
				img, _, _ := ds.Item(i)
				if !reflect.DeepEqual(data[k*12:(k+1)*12], img.Data().([]float32)) {
					t.Fatalf("batch %d row %d is not item %d", bi, k, i)
				}
			}
		}
		if !drop && len(seen) != 10 {
			t.Fatalf("epoch visited %d of 10 items", len(seen))
		}
	}
}

func TestLoaderOrder(t *testing.T) {
	ds := pixelSet(20)
	plain := newLoader(t, ds, LoaderOptions{BatchSize: 6})
	for e := 0; e < 2; e++ {
		for i, v := range plain.Order(e) {
			if v != i {
				t.Fatalf("unshuffled epoch %d visits %d at %d", e, v, i)
			}
		}
	}
	shuf := newLoader(t, ds, LoaderOptions{BatchSize: 6, Shuffle: true, Seed: 9})
	o0, o1 := shuf.Order(0), shuf.Order(1)
	if reflect.DeepEqual(o0, o1) || reflect.DeepEqual(o0, plain.Order(0)) {
		t.Fatal("shuffled epochs repeat an order")
	}
	if !reflect.DeepEqual(o0, EpochOrder(9, 0, 20)) {
		t.Fatal("Order differs from EpochOrder")
	}
	other := newLoader(t, ds, LoaderOptions{BatchSize: 6, Shuffle: true, Seed: 10})
	if reflect.DeepEqual(o0, other.Order(0)) {
		t.Fatal("seeds 9 and 10 give the same order")
	}
}

func batchesEqual(a, b []Batch) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d batches vs %d", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].Indices, b[i].Indices) || !reflect.DeepEqual(a[i].Labels, b[i].Labels) || len(a[i].Views) != len(b[i].Views) {
			return fmt.Errorf("batch %d: indices or labels differ", i)
		}
		for v := range a[i].Views {
			if !a[i].Views[v].Shape().Eq(b[i].Views[v].Shape()) || !reflect.DeepEqual(a[i].Views[v].Data(), b[i].Views[v].Data()) {
				return fmt.Errorf("batch %d view %d differs", i, v)
			}
		}
	}
	return nil
}

func TestLoaderDeterministic(t *testing.T) {
	ds := pixelSet(53)
	ctx := context.Background()
	base := LoaderOptions{BatchSize: 8, Shuffle: true, Seed: 77, Viewer: noiseViewer{}, Workers: 1, Prefetch: 1}
	ref := collect(t, newLoader(t, ds, base).Epoch(ctx, 4))
	for _, wp := range [][2]int{{3, 0}, {4, 1}, {2, 9}} {
		opt := base
		opt.Workers, opt.Prefetch = wp[0], wp[1]
		l := newLoader(t, ds, opt)
		if err := batchesEqual(ref, collect(t, l.Epoch(ctx, 4))); err != nil {
			t.Fatalf("workers %d prefetch %d: %v", wp[0], wp[1], err)
		}
		// An epoch in between changes nothing.
		collect(t, l.Epoch(ctx, 5))
		if err := batchesEqual(ref, collect(t, l.Epoch(ctx, 4))); err != nil {
			t.Fatalf("epoch 4 after epoch 5: %v", err)
		}
	}
	l := newLoader(t, ds, base)
	if err := batchesEqual(ref, collect(t, l.Epoch(ctx, 3))); err == nil {
		t.Fatal("epochs 3 and 4 gave the same batches")
	}
	// Every view is the viewer's output for that item with SampleRand.
	for _, b := range ref {
		for k, i := range b.Indices {
			img, _, _ := ds.Item(i)
			views, _ := noiseViewer{}.Views(img, SampleRand(77, 4, i))
			for v := range views {
				row := b.Views[v].Data().([]float32)[k*12 : (k+1)*12]
				if !reflect.DeepEqual(row, views[v].Data().([]float32)) {
					t.Fatalf("view %d of item %d is not Views(Item, SampleRand(seed, epoch, item))", v, i)
				}
			}
		}
	}
	// Batch and EpochFrom give the same batches.
	for bi := range ref {
		b, err := l.Batch(ctx, 4, bi)
		if err != nil {
			t.Fatal(err)
		}
		if err := batchesEqual(ref[bi:bi+1], []Batch{b}); err != nil {
			t.Fatalf("Batch(4, %d): %v", bi, err)
		}
	}
	it := l.EpochFrom(ctx, 4, 5)
	if it.Position() != 5 {
		t.Fatalf("EpochFrom position %d", it.Position())
	}
	if err := batchesEqual(ref[5:], collect(t, it)); err != nil {
		t.Fatalf("EpochFrom(4, 5): %v", err)
	}
	if got := collect(t, l.EpochFrom(ctx, 4, 100)); len(got) != 0 {
		t.Fatalf("EpochFrom past the end gave %d batches", len(got))
	}
	if _, err := l.Batch(ctx, 4, len(ref)); err == nil {
		t.Fatal("Batch past the end: no error")
	}
}

// itemViewer gives two views of the image, except for item bad (an
// indexImages image holds its index): a view of another shape, one view
// only, or an error.
type itemViewer struct {
	bad      int
	badShape bool
	failWith error
}

func (v itemViewer) Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error) {
	i := int(img.Data().([]float32)[0])
	if i != v.bad {
		return []*tensor.Dense{img, img}, nil
	}
	if v.failWith != nil {
		return nil, v.failWith
	}
	if v.badShape {
		return []*tensor.Dense{img, tensor.New(tensor.WithShape(1, 3, 3), tensor.Of(tensor.Float32))}, nil
	}
	return []*tensor.Dense{img}, nil
}

// indexImages gives item i a 1×2×2 image filled with i, label i.
func indexImages(n int) Dataset {
	imgs := make([]*tensor.Dense, n)
	labels := make([]int, n)
	for i := range imgs {
		imgs[i] = tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float32{float32(i), float32(i), float32(i), float32(i)}))
		labels[i] = i
	}
	ds, _ := FromTensors(imgs, labels)
	return ds
}

func TestLoaderViewErrors(t *testing.T) {
	ds := indexImages(10)
	ctx := context.Background()
	boom := errors.New("boom")
	cases := []struct {
		v    itemViewer
		want string
	}{
		{itemViewer{bad: 5, badShape: true}, "view 1 of item 5 has shape (1, 3, 3) but view 1 of item 0 has (1, 2, 2)"},
		{itemViewer{bad: 6}, "item 6 has 1 views"},
		{itemViewer{bad: 7, failWith: boom}, "views of item 7: boom"},
	}
	for _, c := range cases {
		l := newLoader(t, ds, LoaderOptions{BatchSize: 10, Viewer: c.v, Workers: 2})
		it := l.Epoch(ctx, 0)
		_, err := it.Next()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("got %v, want an error containing %q", err, c.want)
		}
		if c.v.failWith != nil && !errors.Is(err, boom) {
			t.Fatalf("viewer's error is not wrapped: %v", err)
		}
		if _, err2 := it.Next(); err2 != err {
			t.Fatalf("Next after an error: %v, want the same error", err2)
		}
		it.Close()
	}
	// The last, partial batch stacks fine with views of one shape.
	l := newLoader(t, ds, LoaderOptions{BatchSize: 4, Viewer: itemViewer{bad: -1}})
	bs := collect(t, l.Epoch(ctx, 0))
	if len(bs) != 3 || bs[2].Size() != 2 || !bs[2].Views[1].Shape().Eq(tensor.Shape{2, 1, 2, 2}) {
		t.Fatalf("last batch: %d batches", len(bs))
	}
}

// failingSet fails on one item.
type failingSet struct {
	Dataset
	bad int
}

func (f failingSet) Item(i int) (*tensor.Dense, int, error) {
	if i == f.bad {
		return nil, 0, errors.New("disk on fire")
	}
	return f.Dataset.Item(i)
}

func TestLoaderItemError(t *testing.T) {
	l := newLoader(t, failingSet{indexImages(20), 13}, LoaderOptions{BatchSize: 5})
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	var err error
	n := 0
	for err == nil {
		_, err = it.Next()
		n++
	}
	if n != 3 || !strings.Contains(err.Error(), "batch 2: item 13: disk on fire") {
		t.Fatalf("after %d calls: %v", n, err)
	}
}

func TestNewLoaderChecks(t *testing.T) {
	ds := indexImages(3)
	for _, o := range []LoaderOptions{{}, {BatchSize: -1}, {BatchSize: 1, Workers: -1}, {BatchSize: 1, Prefetch: -2}} {
		if _, err := NewLoader(ds, o); err == nil {
			t.Fatalf("options %+v: no error", o)
		}
	}
	if _, err := NewLoader(nil, LoaderOptions{BatchSize: 1}); err == nil {
		t.Fatal("nil dataset: no error")
	}
	empty, _ := FromTensors(nil, nil)
	if _, err := NewLoader(empty, LoaderOptions{BatchSize: 1}); err == nil {
		t.Fatal("empty dataset: no error")
	}
}

// waitGoroutines waits until no more than base goroutines run; a leak
// fails after a generous while (this is not a timing assertion).
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLoaderStopsCleanly(t *testing.T) {
	ds := pixelSet(200)
	base := runtime.NumGoroutine()

	// Close after one batch.
	l := newLoader(t, ds, LoaderOptions{BatchSize: 4, Viewer: noiseViewer{}, Workers: 4, Prefetch: 3})
	it := l.Epoch(context.Background(), 0)
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	it.Close()
	it.Close()
	if _, err := it.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	waitGoroutines(t, base)

	// Cancel the context.
	ctx, cancel := context.WithCancel(context.Background())
	it = l.Epoch(ctx, 1)
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for err == nil {
		_, err = it.Next() // prepared batches may still come
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
	waitGoroutines(t, base)

	// An abandoned epoch is closed by the next one.
	old := l.Epoch(context.Background(), 2)
	old.Next()
	fresh := l.Epoch(context.Background(), 3)
	if _, err := old.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("replaced iterator: %v", err)
	}
	fresh.Next()
	l.Close()
	if _, err := fresh.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Loader.Close: %v", err)
	}
	waitGoroutines(t, base)

	// Running to the end leaves nothing behind either.
	collect(t, newLoader(t, ds, LoaderOptions{BatchSize: 64, Workers: 3}).Epoch(context.Background(), 0))
	waitGoroutines(t, base)
}

func TestLoaderNotebookInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	restore := ambient.Set(ctx)
	defer restore()
	l := newLoader(t, pixelSet(100), LoaderOptions{BatchSize: 2})
	//lint:ignore SA1012 nil is Epoch's documented "the notebook cell's context", which is tested
	it := l.Epoch(nil, 0)
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for err == nil {
		_, err = it.Next()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after interrupt: %v", err)
	}
}

// recordingSet reports each Item call.
type recordingSet struct {
	Dataset
	calls chan int
}

func (r recordingSet) Item(i int) (*tensor.Dense, int, error) {
	r.calls <- i
	return r.Dataset.Item(i)
}

// TestLoaderPrefetches checks that the next batch is prepared while the
// caller holds the current one and has not asked for more.
func TestLoaderPrefetches(t *testing.T) {
	rs := recordingSet{indexImages(12), make(chan int, 100)}
	l := newLoader(t, rs, LoaderOptions{BatchSize: 4, Workers: 1, Prefetch: 1})
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{}
	timeout := time.After(10 * time.Second)
	for len(got) < 8 {
		select {
		case i := <-rs.calls:
			got[i] = true
		case <-timeout:
			t.Fatalf("batch 1 was not prepared while batch 0 was held: items %v", got)
		}
	}
	for i := 4; i < 8; i++ {
		if !got[i] {
			t.Fatalf("item %d of batch 1 not prepared; got %v", i, got)
		}
	}
	if b, err := it.Next(); err != nil || b.Indices[0] != 4 {
		t.Fatalf("batch 1: %v", err)
	}
}

type panickyViewer struct{}

func (panickyViewer) Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error) {
	var m map[string]int
	//lint:ignore SA5000 the panic is the point: a user's bug
	m["x"] = 1
	return nil, nil
}

func TestLoaderViewerPanicIsAnError(t *testing.T) {
	l := newLoader(t, indexImages(4), LoaderOptions{BatchSize: 2, Viewer: panickyViewer{}})
	_, err := l.Epoch(context.Background(), 0).Next()
	if err == nil || !strings.Contains(err.Error(), "panic in the dataset or viewer") {
		t.Fatalf("got %v", err)
	}
	if _, err := l.Batch(context.Background(), 0, 1); err == nil {
		t.Fatal("Batch: no error")
	}
}
