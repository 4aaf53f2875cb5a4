package data

import (
	"bytes"
	"math/rand"
	"path/filepath"
	"testing"
)

func TestMNISTLayoutRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		rng := rand.New(rand.NewSource(1))
		pix, labels := mnistFixture(t, dir, "train", 7, 5, 4, gz, rng)
		tpix, tlabels := mnistFixture(t, dir, "t10k", 3, 5, 4, gz, rng)
		for _, train := range []bool{true, false} {
			ds, err := MNIST(dir, train)
			if err != nil {
				t.Fatalf("gzip %v, train %v: %v", gz, train, err)
			}
			wantPix, wantLabels := pix, labels
			if !train {
				wantPix, wantLabels = tpix, tlabels
			}
			if ds.Len() != len(wantLabels) || ds.C != 1 || ds.H != 5 || ds.W != 4 {
				t.Fatalf("got %d images of %d×%d×%d", ds.Len(), ds.C, ds.H, ds.W)
			}
			for i := 0; i < ds.Len(); i++ {
				img, label, err := ds.Item(i)
				if err != nil {
					t.Fatal(err)
				}
				if label != int(wantLabels[i]) {
					t.Fatalf("item %d: label %d, want %d", i, label, wantLabels[i])
				}
				if s := img.Shape(); len(s) != 3 || s[0] != 1 || s[1] != 5 || s[2] != 4 {
					t.Fatalf("item %d: shape %v", i, s)
				}
				for k, v := range img.Data().([]float32) {
					if want := float32(wantPix[i*20+k]) / 255; v != want {
						t.Fatalf("item %d pixel %d: %v, want %v", i, k, v, want)
					}
				}
			}
			if got := ds.Classes(); len(got) != 10 || got[3] != "3" {
				t.Fatalf("classes %v", got)
			}
		}
	}
}

func TestFashionMNISTClassesAndDefaultNames(t *testing.T) {
	dir := t.TempDir()
	mnistFixture(t, dir, "t10k", 4, 2, 2, true, rand.New(rand.NewSource(2)))
	ds, err := FashionMNIST(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := ClassNames(ds); len(c) != 10 || c[9] != "Ankle boot" || c[0] != "T-shirt/top" {
		t.Fatalf("classes %v", c)
	}
	if _, err := FashionMNIST(dir, true); err == nil {
		t.Fatal("missing training files gave no error")
	}
	if _, err := MNIST("", true); err == nil {
		t.Fatal("MNIST without a directory gave no error")
	}
}

func TestIdxErrors(t *testing.T) {
	good := idxBytes([]int{2, 3, 3}, make([]byte, 18))
	cases := []struct {
		name   string
		data   []byte
		offset int64
		msg    string
	}{
		{"empty", nil, 0, "truncated"},
		{"short magic", []byte{0, 0}, 2, "truncated"},
		{"bad magic", []byte{1, 2, 8, 1, 0, 0, 0, 0}, 0, "not an idx file"},
		{"float elements", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, 2, "0x0d"},
		{"zero dims", []byte{0, 0, 8, 0}, 3, "0 dimensions"},
		{"short dims", good[:9], 9, "inside the 3 idx dimensions"},
		{"truncated data", good[:len(good)-5], int64(len(good) - 5), "13 of the 18 data bytes"},
		{"trailing data", append(append([]byte{}, good...), 7), int64(len(good)), "continues after"},
		{"huge dims", idxBytes([]int{1 << 30, 1 << 30, 1 << 30}, nil), 8, "more than"},
	}
	for _, c := range cases {
		for _, gz := range []bool{false, true} {
			data := c.data
			if gz {
				data = gzipBytes(t, data)
			}
			_, err := DecodeIdx(bytes.NewReader(data), "f.idx")
			name := c.name
			if gz {
				name += " gzip" // offsets count uncompressed bytes
			}
			t.Run(name, func(t *testing.T) { wantFormatError(t, err, "f.idx", c.offset, c.msg) })
		}
	}
}

func TestIdxCorruptGzip(t *testing.T) {
	raw := idxBytes([]int{50, 10, 10}, bytes.Repeat([]byte{1, 2, 3, 4, 5}, 1000))
	z := gzipBytes(t, raw)
	// A cut in the compressed stream.
	_, err := DecodeIdx(bytes.NewReader(z[:len(z)/2]), "cut.gz")
	var fe *FormatError
	if err == nil || !asFormatError(err, &fe) || fe.File != "cut.gz" {
		t.Fatalf("cut gzip: %v", err)
	}
	// A flipped checksum byte: the payload decodes, the check fails.
	bad := append([]byte{}, z...)
	bad[len(bad)-6] ^= 0xff
	if _, err := DecodeIdx(bytes.NewReader(bad), "crc.gz"); err == nil || !asFormatError(err, &fe) || fe.File != "crc.gz" {
		t.Fatalf("bad checksum: %v", err)
	}
}

func TestReadIdxMismatch(t *testing.T) {
	dir := t.TempDir()
	im := writeFile(t, filepath.Join(dir, "im"), idxBytes([]int{3, 2, 2}, make([]byte, 12)))
	lb := writeFile(t, filepath.Join(dir, "lb"), idxBytes([]int{4}, make([]byte, 4)))
	_, err := ReadIdx(im, lb)
	wantFormatError(t, err, lb, 4, "4 labels for the 3 images")
	_, err = ReadIdx(lb, "")
	wantFormatError(t, err, lb, 3, "want 3 (N, H, W)")
	_, err = ReadIdx(im, im)
	wantFormatError(t, err, im, 3, "want 1 (N)")
	if _, err := ReadIdx(filepath.Join(dir, "absent"), ""); err == nil {
		t.Fatal("absent file: no error")
	}
	ds, err := ReadIdx(im, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, l, _ := ds.Item(2); l != -1 {
		t.Fatalf("unlabelled item has label %d, want -1", l)
	}
}

func TestFashionMNISTLabelOutOfRange(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), idxBytes([]int{3, 1, 1}, []byte{1, 2, 3}))
	lb := writeFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), idxBytes([]int{3}, []byte{1, 12, 3}))
	_, err := FashionMNIST(dir, false)
	wantFormatError(t, err, lb, 9, "label 12 of image 1")
}
