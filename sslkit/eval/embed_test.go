package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn"
)

// imageSet is an in-memory data.Dataset of random (C, H, W) images.
type imageSet struct {
	c, h, w int
	pixels  [][]float32
	labels  []int
	onItem  func(i int) error // called before each Item, may fail
}

func newImageSet(rng *rand.Rand, n, c, h, w int) *imageSet {
	s := &imageSet{c: c, h: h, w: w}
	for i := 0; i < n; i++ {
		px := make([]float32, c*h*w)
		for j := range px {
			px[j] = rng.Float32()
		}
		s.pixels = append(s.pixels, px)
		s.labels = append(s.labels, i%3)
	}
	return s
}

func (s *imageSet) Len() int { return len(s.pixels) }
func (s *imageSet) Item(i int) (*tensor.Dense, int, error) {
	if s.onItem != nil {
		if err := s.onItem(i); err != nil {
			return nil, 0, err
		}
	}
	px := append([]float32(nil), s.pixels[i]...)
	return tensor.New(tensor.WithShape(s.c, s.h, s.w), tensor.WithBacking(px)), s.labels[i], nil
}

// smallCNN is a backbone with BatchNorm whose running statistics are far
// from their initial values, so evaluation mode visibly differs from
// training mode.
func smallCNN(t testing.TB) *backbone.Net {
	net, err := backbone.NewSmallCNN(1, 16, rand.New(rand.NewSource(7)))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(8))
	for _, b := range nn.Buffers(net) {
		for i := range b.Data() {
			if strings.HasSuffix(b.Name, "running_var") {
				b.Data()[i] = 0.5 + rng.Float32()
			} else {
				b.Data()[i] = rng.Float32() - 0.5
			}
		}
	}
	return net
}

// manualForward runs all images of ds through net in one graph, in
// evaluation mode.
func manualForward(t *testing.T, net nn.Module, ds *imageSet, scale float32) []float32 {
	nn.SetTraining(net, false)
	defer nn.SetTraining(net, true)
	n := ds.Len()
	var all []float32
	for _, px := range ds.pixels {
		for _, v := range px {
			all = append(all, v*scale)
		}
	}
	out := graphtest.Forward(t, net.Forward, tensor.New(tensor.WithShape(n, ds.c, ds.h, ds.w), tensor.WithBacking(all)))
	f := make([]float32, len(out))
	for i, v := range out {
		f[i] = float32(v)
	}
	return f
}

func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: value %d = %g, want %g", what, i, got[i], want[i])
		}
	}
}

func TestEmbedEqualsManualEvalForward(t *testing.T) {
	net := smallCNN(t)
	ds := newImageSet(rand.New(rand.NewSource(9)), 10, 1, 28, 28)
	want := manualForward(t, net, ds, 1)
	before := map[string][]float32{}
	for _, b := range nn.Buffers(net) {
		before[b.Name] = append([]float32(nil), b.Data()...)
	}
	// 4 + 4 + a partial batch of 2: two graphs.
	built := graphsBuilt.Load()
	var progress []int
	f, err := Embed(context.Background(), net, ds, EmbedOptions{BatchSize: 4, Progress: func(done, total int) {
		if total != 10 {
			t.Errorf("progress total %d, want 10", total)
		}
		progress = append(progress, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := graphsBuilt.Load() - built; n != 2 {
		t.Errorf("3 batches of sizes 4, 4, 2 built %d graphs, want 2", n)
	}
	if fmt.Sprint(progress) != "[4 8 10]" {
		t.Errorf("progress reports %v, want [4 8 10]", progress)
	}
	if f.N != 10 || f.D != 16 {
		t.Fatalf("features %d×%d, want 10×16", f.N, f.D)
	}
	closeTo(t, "Embed vs one eval-mode graph", f.Data, want, 1e-5)
	for i, l := range f.Labels {
		if l != i%3 {
			t.Fatalf("label %d = %d, want %d", i, l, i%3)
		}
	}
	// Evaluation mode leaves the running statistics alone.
	for _, b := range nn.Buffers(net) {
		closeTo(t, b.Name+" after Embed", b.Data(), before[b.Name], 0)
	}
	// One batch bigger than the dataset, and batches of one.
	for _, bs := range []int{64, 1, 3} {
		g, err := Embed(context.Background(), net, ds, EmbedOptions{BatchSize: bs})
		if err != nil {
			t.Fatal(err)
		}
		closeTo(t, fmt.Sprintf("batch size %d", bs), g.Data, want, 1e-5)
	}
}

func TestEmbedRestoresModes(t *testing.T) {
	net := smallCNN(t)
	ds := newImageSet(rand.New(rand.NewSource(10)), 3, 1, 28, 28)
	var bns []nn.Module
	nn.Walk(net, func(m nn.Module) {
		if _, ok := m.(*nn.BatchNorm); ok {
			bns = append(bns, m)
		}
	})
	if len(bns) != 3 {
		t.Fatalf("SmallCNN has %d BatchNorms, want 3", len(bns))
	}
	// A mixed state: the middle BatchNorm in evaluation, the others training.
	nn.SetTraining(net, true)
	bns[1].(nn.ModeSetter).SetTraining(false)
	if _, err := Embed(context.Background(), net, ds, DefaultEmbedOptions()); err != nil {
		t.Fatal(err)
	}
	for i, m := range bns {
		if got, want := isTraining(m), i != 1; got != want {
			t.Errorf("BatchNorm %d: training = %v after Embed, want %v", i, got, want)
		}
	}
	nn.SetTraining(net, false)
	if _, err := Embed(context.Background(), net, ds, DefaultEmbedOptions()); err != nil {
		t.Fatal(err)
	}
	for i, m := range bns {
		if isTraining(m) {
			t.Errorf("BatchNorm %d switched to training by Embed", i)
		}
	}
}

func TestEmbedTransformAndPixels(t *testing.T) {
	net := smallCNN(t)
	ds := newImageSet(rand.New(rand.NewSource(11)), 5, 1, 28, 28)
	want := manualForward(t, net, ds, 2)
	double := func(img *tensor.Dense) (*tensor.Dense, error) {
		for i, v := range img.Data().([]float32) {
			img.Data().([]float32)[i] = 2 * v
		}
		return img, nil
	}
	f, err := Embed(context.Background(), net, ds, EmbedOptions{BatchSize: 2, Transform: double})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "transformed", f.Data, want, 1e-5)

	px, err := Embed(context.Background(), nn.Flatten{}, ds, EmbedOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if px.D != 28*28 {
		t.Fatalf("raw pixels have dimension %d", px.D)
	}
	for i := 0; i < ds.Len(); i++ {
		closeTo(t, "pixels", px.Row(i), ds.pixels[i], 0)
	}
}

func TestEmbedCancelled(t *testing.T) {
	net := smallCNN(t)
	ds := newImageSet(rand.New(rand.NewSource(12)), 40, 1, 28, 28)
	ctx, cancel := context.WithCancel(context.Background())
	ds.onItem = func(i int) error {
		if i == 12 {
			cancel()
		}
		return nil
	}
	if _, err := Embed(ctx, net, ds, EmbedOptions{BatchSize: 4}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled mid-run: err = %v", err)
	}
	if !isTraining(net.Layers.Modules[1]) {
		t.Error("a cancelled Embed left the model in evaluation mode")
	}
	ds.onItem = nil
	restore := ambient.Set(ctx)
	defer restore()
	if _, err := Embed(context.Background(), net, ds, EmbedOptions{BatchSize: 4}); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted cell: err = %v", err)
	}
}

func TestEmbedErrors(t *testing.T) {
	net := smallCNN(t)
	rng := rand.New(rand.NewSource(13))
	failing := newImageSet(rng, 9, 1, 28, 28)
	failing.onItem = func(i int) error {
		if i == 6 {
			return errors.New("corrupt record")
		}
		return nil
	}
	panicking := newImageSet(rng, 9, 1, 28, 28)
	panicking.onItem = func(i int) error {
		if i == 2 {
			panic("index out of range")
		}
		return nil
	}
	wrongShape := newImageSet(rng, 3, 3, 28, 28)
	for name, c := range map[string]struct {
		model nn.Module
		ds    *imageSet
		opt   EmbedOptions
		want  string
	}{
		"item error":     {net, failing, EmbedOptions{BatchSize: 4}, "image 6: corrupt record"},
		"item panic":     {net, panicking, DefaultEmbedOptions(), "image 2: panic"},
		"transform fail": {net, newImageSet(rng, 3, 1, 28, 28), EmbedOptions{BatchSize: 4, Transform: func(*tensor.Dense) (*tensor.Dense, error) { return nil, errors.New("bad") }}, "transform: bad"},
		"model rejects":  {net, wrongShape, DefaultEmbedOptions(), "batch at image 0"},
		"negative batch": {net, wrongShape, EmbedOptions{BatchSize: -1}, "BatchSize -1 must be ≥ 1"},
		"zero batch":     {net, wrongShape, EmbedOptions{}, "BatchSize 0 must be ≥ 1"},
		"nil model":      {nil, wrongShape, DefaultEmbedOptions(), "nil model"},
		"empty":          {net, newImageSet(rng, 0, 1, 28, 28), DefaultEmbedOptions(), "empty dataset"},
	} {
		_, err := Embed(context.Background(), c.model, c.ds, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
	_, err := Embed(context.Background(), net, oddOneOut{newImageSet(rng, 8, 1, 28, 28)}, EmbedOptions{BatchSize: 4})
	if err == nil || !strings.Contains(err.Error(), "image 5 has shape (1, 14, 14), image 0 (1, 28, 28)") {
		t.Errorf("mixed shapes: err = %v", err)
	}
}

// oddOneOut serves image 5 at half size.
type oddOneOut struct{ *imageSet }

func (o oddOneOut) Item(i int) (*tensor.Dense, int, error) {
	if i == 5 {
		return tensor.New(tensor.WithShape(1, 14, 14), tensor.WithBacking(make([]float32, 196))), 0, nil
	}
	return o.imageSet.Item(i)
}
