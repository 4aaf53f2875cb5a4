package show

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/eval"
	"github.com/gossl/gossl/sslkit/nn"
)

// blobs returns n 8×8 gray images, one brightness level per class, and
// features drawn around a well-separated centre per class.
func blobs(t *testing.T, n, classes int) (*data.Images, *eval.Features) {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	const d = 10
	centres := make([]float32, classes*d)
	for i := range centres {
		centres[i] = float32(6 * rng.NormFloat64())
	}
	pix := make([]uint8, n*64)
	labels := make([]int, n)
	feats := make([]float32, n*d)
	for i := 0; i < n; i++ {
		c := i % classes
		labels[i] = c
		for p := 0; p < 64; p++ {
			pix[i*64+p] = uint8(40 + 60*c)
		}
		for j := 0; j < d; j++ {
			feats[i*d+j] = centres[c*d+j] + float32(rng.NormFloat64())
		}
	}
	names := []string{"zero", "one", "two"}[:classes]
	ds, err := data.NewImages(1, 8, 8, pix, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	f, err := eval.NewFeatures(feats, n, d, nil) // labels come from the dataset
	if err != nil {
		t.Fatal(err)
	}
	return ds, f
}

func TestEmbeddingMapEachMethod(t *testing.T) {
	ds, f := blobs(t, 150, 3)
	for _, method := range []string{MethodUMAP, MethodTSNE, MethodPCA} {
		opt := DefaultEmbeddingMapOptions()
		opt.Method, opt.MaxThumbnails, opt.Progress = method, 40, false
		m, err := EmbeddingMap(context.Background(), ds, f, opt)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if err := m.Check(); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if len(m.X) != 150 || len(m.Labels) != 150 || m.Labels[4] != 1 {
			t.Fatalf("%s: %d points, labels %v…", method, len(m.X), m.Labels[:5])
		}
		withThumb := 0
		for _, img := range m.Thumbnails {
			if img != nil {
				withThumb++
			}
		}
		if withThumb != 40 {
			t.Errorf("%s: %d thumbnails; want 40", method, withThumb)
		}
		if strings.Join(m.ClassNames, ",") != "zero,one,two" {
			t.Errorf("%s: class names %v", method, m.ClassNames)
		}
		// the title carries the quality measures; separated classes map well
		if !strings.Contains(m.Title, "trustworthiness 0.9") || !strings.Contains(m.Title, "10-NN accuracy 1.000") {
			t.Errorf("%s: title %q", method, m.Title)
		}
		html, err := m.HTML()
		if err != nil || !strings.Contains(html, "data:image/png;base64,") {
			t.Errorf("%s: HTML has no thumbnails (err %v)", method, err)
		}
	}
}

func TestEmbeddingMapErrors(t *testing.T) {
	ds, f := blobs(t, 60, 3)
	small, _ := blobs(t, 30, 3)
	for _, c := range []struct {
		ds   data.Dataset
		f    *eval.Features
		opt  func(*EmbeddingMapOptions)
		want string
	}{
		{ds, nil, func(*EmbeddingMapOptions) {}, "nil features"},
		{small, f, func(*EmbeddingMapOptions) {}, "60 feature rows for a dataset of 30"},
		{ds, f, func(o *EmbeddingMapOptions) { o.Method = "mds" }, `Method is "mds"`},
		{ds, f, func(o *EmbeddingMapOptions) { o.K = 30 }, "K is 30"},
		{ds, f, func(o *EmbeddingMapOptions) { o.UMAP.Components = 3 }, "a map needs 2"},
		{ds, f, func(o *EmbeddingMapOptions) { o.Method, o.TSNE.Perplexity = MethodTSNE, 100 }, "Perplexity is 100"},
	} {
		opt := DefaultEmbeddingMapOptions()
		opt.Progress = false
		c.opt(&opt)
		_, err := EmbeddingMap(context.Background(), c.ds, c.f, opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v; want one containing %q", err, c.want)
		}
	}
	// no dataset: no thumbnails, labels from the features
	ff, _ := eval.NewFeatures(f.Data, f.N, f.D, make([]int, f.N))
	opt := DefaultEmbeddingMapOptions()
	opt.Method, opt.Progress = MethodPCA, true
	m, err := EmbeddingMap(context.Background(), nil, ff, opt)
	if err != nil || m.Thumbnails != nil {
		t.Errorf("without a dataset: %v, thumbnails %v", err, m.Thumbnails != nil)
	}
}

func TestEmbeddingMapOfModel(t *testing.T) {
	ds, _ := blobs(t, 60, 3)
	opt := DefaultEmbeddingMapOptions()
	opt.Method, opt.Progress, opt.MaxThumbnails = MethodPCA, false, 0
	m, err := EmbeddingMapOfModel(context.Background(), nn.Flatten{}, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.X) != 60 || m.Thumbnails != nil || m.Labels[2] != 2 {
		t.Errorf("%d points, thumbnails %v, labels %v…", len(m.X), m.Thumbnails != nil, m.Labels[:3])
	}
	if _, err := EmbeddingMapOfModel(context.Background(), nil, ds, opt); err == nil {
		t.Error("nil model gave no error")
	}
}
