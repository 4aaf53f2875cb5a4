package train

import (
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/method"
	"github.com/gossl/gossl/sslkit/nn"
	"gorgonia.org/tensor"
)

// tinyCNN is conv(1→8)–BN–ReLU–maxpool–Linear(128→16) for 8×8 images.
func tinyCNN(t testing.TB, seed int64) *backbone.Net {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	co := nn.DefaultConvOptions()
	co.Padding, co.NoBias = 1, true
	conv, err := nn.NewConv2d("conv1", 1, 8, 3, co, rng)
	if err != nil {
		t.Fatal(err)
	}
	bn, err := nn.NewBatchNorm2d("bn1", 8, nn.DefaultBNOptions())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := nn.NewMaxPool2d(2, nn.DefaultMaxPoolOptions(2))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := nn.NewLinear("fc", 8*4*4, 16, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	return &backbone.Net{Arch: "tiny-cnn", OutDim: 16, InChannels: 1,
		Layers: nn.NewSequential(conv, bn, nn.ReLU{}, pool, nn.Flatten{}, fc)}
}

// noisyViews makes views that are the image plus Gaussian noise.
type noisyViews struct {
	n     int
	sigma float64
}

func (v noisyViews) Views(img *tensor.Dense, rng *rand.Rand) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, v.n)
	src := img.Data().([]float32)
	for i := range out {
		d := make([]float32, len(src))
		for j, x := range src {
			d[j] = x + float32(rng.NormFloat64()*v.sigma)
		}
		out[i] = tensor.New(tensor.WithShape(img.Shape().Clone()...), tensor.WithBacking(d))
	}
	return out, nil
}

// synthetic is n 8×8 one-channel images: four random prototypes plus noise.
func synthetic(t testing.TB, n int) data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	protos := make([][]float32, 4)
	for i := range protos {
		protos[i] = make([]float32, 64)
		for j := range protos[i] {
			protos[i][j] = float32(rng.Float64())
		}
	}
	imgs := make([]*tensor.Dense, n)
	labels := make([]int, n)
	for i := range imgs {
		labels[i] = i % 4
		d := make([]float32, 64)
		for j := range d {
			d[j] = protos[labels[i]][j] + float32(0.3*rng.NormFloat64())
		}
		imgs[i] = tensor.New(tensor.WithShape(1, 8, 8), tensor.WithBacking(d))
	}
	ds, err := data.FromTensors(imgs, labels)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func loader(t testing.TB, n, batch int) *data.Loader {
	t.Helper()
	l, err := data.NewLoader(synthetic(t, n), data.LoaderOptions{BatchSize: batch, Shuffle: true, Seed: 3, Viewer: noisyViews{2, 0.2}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func simclr(t testing.TB) *method.SimCLR {
	t.Helper()
	o := method.DefaultSimCLROptions()
	o.ProjectorOut = 8
	o.Loss.Temperature = 0.5
	m, err := method.NewSimCLR(tinyCNN(t, 1), o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
