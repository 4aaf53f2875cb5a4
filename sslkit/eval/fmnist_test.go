package eval

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/nn"
)

const fashionDir = "/usr/share/datasets/fashion-mnist"

// BenchmarkFashionMNISTPixels is the raw-pixel baseline of the tutorial,
// measured beside scikit-learn on the same features in the same run: the
// first 10000 training and 2000 test images of Fashion-MNIST, embedded as
// flattened pixels (Embed with nn.Flatten), kNN (k=20, T=0.1) and the
// default linear probe; scikit-learn fits StandardScaler +
// LogisticRegression(C = 1/(wd·n), lbfgs, max_iter 100) on the same rows.
// It skips when the data set (Debian's dataset-fashion-mnist) is absent.
func BenchmarkFashionMNISTPixels(b *testing.B) {
	if _, err := os.Stat(fashionDir); err != nil {
		b.Skip("Fashion-MNIST not installed:", err)
	}
	ctx := context.Background()
	load := func(train bool, n int) *Features {
		all, err := data.FashionMNIST(fashionDir, train)
		if err != nil {
			b.Fatal(err)
		}
		ds, err := data.First(all, n)
		if err != nil {
			b.Fatal(err)
		}
		f, err := Embed(ctx, nn.Flatten{}, ds, DefaultEmbedOptions())
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	train, test := load(true, 10000), load(false, 2000)
	for i := 0; i < b.N; i++ {
		knn, err := KNN(ctx, train, test, KNN20)
		if err != nil {
			b.Fatal(err)
		}
		probe, err := LinearProbe(ctx, train, test, DefaultProbeOptions())
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.Log(knn)
			b.Log(probe)
			if sk, ok := sklearnProbeAccuracy(b, train, test, probe.WeightDecay); ok {
				b.Logf("scikit-learn LogisticRegression(lbfgs, max_iter 100) test top-1 %.2f%% (same features)", sk)
			}
		}
	}
}

// sklearnProbeAccuracy fits scikit-learn's probe on f (Debian's
// python3-sklearn) and returns its test top-1, or false when unavailable.
func sklearnProbeAccuracy(b *testing.B, train, test *Features, wd float64) (float64, bool) {
	dir := b.TempDir()
	write := func(name string, f *Features) {
		buf := make([]byte, 4*len(f.Data))
		for i, v := range f.Data {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		lab := make([]string, len(f.Labels))
		for i, l := range f.Labels {
			lab[i] = strconv.Itoa(l)
		}
		if os.WriteFile(filepath.Join(dir, name+".f32"), buf, 0o644) != nil ||
			os.WriteFile(filepath.Join(dir, name+".txt"), []byte(strings.Join(lab, "\n")), 0o644) != nil {
			b.Fatal("writing features")
		}
	}
	write("train", train)
	write("test", test)
	script := `
import sys, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d, wd, dir = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ld = lambda n: (np.fromfile(dir + "/" + n + ".f32", dtype="<f4").reshape(-1, d).astype(np.float64), np.loadtxt(dir + "/" + n + ".txt", dtype=int))
(xtr, ytr), (xte, yte) = ld("train"), ld("test")
sc = StandardScaler().fit(xtr)
clf = LogisticRegression(C=1 / (wd * len(ytr)), max_iter=100).fit(sc.transform(xtr), ytr)
print(100 * (clf.predict(sc.transform(xte)) == yte).mean())
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, strconv.Itoa(train.D), strconv.FormatFloat(wd, 'g', -1, 64), dir).Output()
	if err != nil {
		b.Log("scikit-learn not available:", err)
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	return v, err == nil
}
