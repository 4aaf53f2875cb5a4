package data

import (
	"os"
	"path/filepath"
	"testing"
)

func fashionMNISTPresent(tb testing.TB) {
	if _, err := os.Stat(filepath.Join(FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
		tb.Skipf("Fashion-MNIST is not installed under %s (Debian package dataset-fashion-mnist)", FashionMNISTDir)
	}
}

// TestFashionMNISTFiles reads the real files of Debian's
// dataset-fashion-mnist. The first labels and the pixel sums of image 0
// were read independently with Python's gzip and numpy.
func TestFashionMNISTFiles(t *testing.T) {
	fashionMNISTPresent(t)
	for _, c := range []struct {
		train      bool
		n          int
		firstLabel []int
		sum0       int
	}{
		{true, 60000, []int{9, 0, 0}, 76247},
		{false, 10000, []int{9, 2, 1}, 33456},
	} {
		ds, err := FashionMNIST("", c.train)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Len() != c.n || ds.C != 1 || ds.H != 28 || ds.W != 28 {
			t.Fatalf("train %v: %d images of %d×%d×%d", c.train, ds.Len(), ds.C, ds.H, ds.W)
		}
		hist := make([]int, 10)
		for _, l := range ds.Labels {
			hist[l]++
		}
		for l, h := range hist {
			if h != c.n/10 {
				t.Fatalf("train %v: %d images of class %d (%s), want %d", c.train, h, l, ds.Classes()[l], c.n/10)
			}
		}
		for i, l := range c.firstLabel {
			if ds.Labels[i] != l {
				t.Fatalf("train %v: label %d is %d, want %d", c.train, i, ds.Labels[i], l)
			}
		}
		img, _, err := ds.Item(0)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, v := range img.Data().([]float32) {
			sum += float64(v) * 255
		}
		if d := sum - float64(c.sum0); d > 0.01 || d < -0.01 {
			t.Fatalf("train %v: image 0 sums to %.2f/255, want %d/255", c.train, sum, c.sum0)
		}
	}
}
