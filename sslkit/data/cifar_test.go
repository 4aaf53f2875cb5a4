package data

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

func TestCIFAR10Decode(t *testing.T) {
	recs := cifarRecords(5, []int{10}, rand.New(rand.NewSource(3)))
	ds, err := DecodeCIFAR10(bytes.NewReader(recs), "b.bin")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 5 || ds.C != 3 || ds.H != 32 || ds.W != 32 {
		t.Fatalf("%d images of %d×%d×%d", ds.Len(), ds.C, ds.H, ds.W)
	}
	for i := 0; i < 5; i++ {
		rec := recs[i*3073 : (i+1)*3073]
		img, label, err := ds.Item(i)
		if err != nil {
			t.Fatal(err)
		}
		if label != int(rec[0]) {
			t.Fatalf("item %d: label %d, want %d", i, label, rec[0])
		}
		// Channel c, row y, column x is byte 1 + 1024c + 32y + x.
		for _, p := range [][3]int{{0, 0, 0}, {1, 5, 7}, {2, 31, 30}} {
			got, _ := img.At(p[0], p[1], p[2])
			want := float32(rec[1+1024*p[0]+32*p[1]+p[2]]) / 255
			if got.(float32) != want {
				t.Fatalf("item %d at %v: %v, want %v", i, p, got, want)
			}
		}
	}
	if ClassNames(ds)[1] != "automobile" {
		t.Fatalf("classes %v", ClassNames(ds))
	}
}

func TestCIFAR100FineAndCoarse(t *testing.T) {
	recs := cifarRecords(4, []int{20, 100}, rand.New(rand.NewSource(4)))
	fine, err := DecodeCIFAR100(bytes.NewReader(recs), "t.bin", CIFAR100Fine)
	if err != nil {
		t.Fatal(err)
	}
	coarse, err := DecodeCIFAR100(bytes.NewReader(recs), "t.bin", CIFAR100Coarse)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if fine.Labels[i] != int(recs[i*3074+1]) || coarse.Labels[i] != int(recs[i*3074]) {
			t.Fatalf("record %d: fine %d coarse %d, want %d %d", i, fine.Labels[i], coarse.Labels[i], recs[i*3074+1], recs[i*3074])
		}
	}
	if !bytes.Equal(fine.Pix[:3072], recs[2:3074]) {
		t.Fatal("pixels of record 0 differ")
	}
}

func TestCIFARDirectories(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cifar-10-batches-bin")
	rng := rand.New(rand.NewSource(5))
	var all []byte
	for i := 1; i <= 5; i++ {
		recs := cifarRecords(i, []int{10}, rng)
		all = append(all, recs...)
		writeFile(t, filepath.Join(dir, "data_batch_"+string(rune('0'+i))+".bin"), recs)
	}
	writeFile(t, filepath.Join(dir, "test_batch.bin"), cifarRecords(2, []int{10}, rng))
	writeFile(t, filepath.Join(dir, "batches.meta.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"))
	train, err := CIFAR10(root, true)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 15 || train.Labels[14] != int(all[14*3073]) || ClassNames(train)[9] != "j" {
		t.Fatalf("train: %d images, classes %v", train.Len(), ClassNames(train))
	}
	test, err := CIFAR10(dir, false)
	if err != nil || test.Len() != 2 {
		t.Fatalf("test: %v", err)
	}

	dir100 := filepath.Join(root, "cifar-100-binary")
	writeFile(t, filepath.Join(dir100, "train.bin"), cifarRecords(3, []int{20, 100}, rng))
	var names bytes.Buffer
	for i := 0; i < 20; i++ {
		names.WriteString("super" + string(rune('a'+i)) + "\n")
	}
	writeFile(t, filepath.Join(dir100, "coarse_label_names.txt"), names.Bytes())
	c100, err := CIFAR100(root, true, CIFAR100Coarse)
	if err != nil {
		t.Fatal(err)
	}
	if c100.Len() != 3 || ClassNames(c100)[19] != "supert" {
		t.Fatalf("cifar-100: %d images, classes %v", c100.Len(), ClassNames(c100))
	}
	if _, err := CIFAR100(root, false, CIFAR100Fine); err == nil {
		t.Fatal("missing test.bin: no error")
	}
}

func TestCIFARErrors(t *testing.T) {
	recs := cifarRecords(3, []int{10}, rand.New(rand.NewSource(6)))
	_, err := DecodeCIFAR10(bytes.NewReader(recs[:2*3073+100]), "cut.bin")
	wantFormatError(t, err, "cut.bin", 2*3073, "record 2 has 100 of its 3073 bytes")
	_, err = DecodeCIFAR10(bytes.NewReader(nil), "empty.bin")
	wantFormatError(t, err, "empty.bin", 0, "no CIFAR records")
	bad := append([]byte{}, recs...)
	bad[3073] = 17
	_, err = DecodeCIFAR10(bytes.NewReader(bad), "bad.bin")
	wantFormatError(t, err, "bad.bin", 3073, "record 1: label 17")
	// A CIFAR-100 file read as CIFAR-10: coarse labels reach 19.
	recs100 := cifarRecords(6, []int{20, 100}, rand.New(rand.NewSource(7)))
	recs100[0] = 15
	_, err = DecodeCIFAR10(bytes.NewReader(recs100), "c100.bin")
	wantFormatError(t, err, "c100.bin", 0, "CIFAR-100 file?")
	recs100[3074] = 20
	_, err = DecodeCIFAR100(bytes.NewReader(recs100), "c.bin", CIFAR100Fine)
	wantFormatError(t, err, "c.bin", 3074, "label 20 is not below 20")

	path := writeFile(t, filepath.Join(t.TempDir(), "x.bin"), recs[:5000])
	_, err = ReadCIFAR10(path)
	wantFormatError(t, err, path, 3073, "truncated")
	if _, err := ReadCIFAR10(); err == nil {
		t.Fatal("no files: no error")
	}
	if _, err := ReadCIFAR10(filepath.Join(os.TempDir(), "absent-cifar.bin")); err == nil {
		t.Fatal("absent file: no error")
	}
}
