package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes encodes an idx file of unsigned bytes.
func idxBytes(dims []int, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(t testing.TB, p []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, content []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mnistFixture writes an MNIST-layout pair of files (n images of h×w with
// labels 0..9) into dir and returns the pixels and labels written.
func mnistFixture(t testing.TB, dir, prefix string, n, h, w int, gz bool, rng *rand.Rand) ([]byte, []byte) {
	pix := make([]byte, n*h*w)
	rng.Read(pix)
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = byte(rng.Intn(10))
	}
	im := idxBytes([]int{n, h, w}, pix)
	lb := idxBytes([]int{n}, labels)
	ext := ""
	if gz {
		im, lb, ext = gzipBytes(t, im), gzipBytes(t, lb), ".gz"
	}
	writeFile(t, filepath.Join(dir, prefix+"-images-idx3-ubyte"+ext), im)
	writeFile(t, filepath.Join(dir, prefix+"-labels-idx1-ubyte"+ext), lb)
	return pix, labels
}

// cifarRecords returns n CIFAR records with random pixels and labels below
// the given class counts (one count for CIFAR-10, two for CIFAR-100).
func cifarRecords(n int, classes []int, rng *rand.Rand) []byte {
	rec := len(classes) + cifarPixels
	out := make([]byte, n*rec)
	for i := 0; i < n; i++ {
		r := out[i*rec : (i+1)*rec]
		for k, c := range classes {
			r[k] = byte(rng.Intn(c))
		}
		rng.Read(r[len(classes):])
	}
	return out
}

// wantFormatError checks that err is a *FormatError about file at offset
// whose message contains want.
func wantFormatError(t *testing.T, err error, file string, offset int64, want string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want a *FormatError", err, err)
	}
	if fe.File != file || fe.Offset != offset || !strings.Contains(fe.Msg, want) {
		t.Fatalf("got %q (file %q, offset %d), want file %q, offset %d, message containing %q", err, fe.File, fe.Offset, file, offset, want)
	}
	if !strings.Contains(err.Error(), file) {
		t.Fatalf("error %q does not name the file", err)
	}
}

func asFormatError(err error, fe **FormatError) bool { return errors.As(err, fe) }
