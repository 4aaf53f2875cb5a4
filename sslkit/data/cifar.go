package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR-10 and CIFAR-100 binary batches are sequences of records: the
// label byte(s), then 32×32 red, green and blue planes, row by row.
const (
	cifarSide   = 32
	cifarPixels = 3 * cifarSide * cifarSide
)

// CIFAR100Labels chooses which of CIFAR-100's two labels a dataset carries.
type CIFAR100Labels int

const (
	CIFAR100Fine   CIFAR100Labels = iota // 100 classes (apple, aquarium_fish, …)
	CIFAR100Coarse                       // 20 superclasses (aquatic_mammals, fish, …)
)

// CIFAR10Classes names CIFAR-10's labels 0..9.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// DecodeCIFAR10 reads a CIFAR-10 binary batch (3073-byte records: a label
// 0..9, then the pixels) from r; name is used in errors.
func DecodeCIFAR10(r io.Reader, name string) (*Images, error) {
	pix, labels, err := decodeCIFAR(r, name, []int{10}, 0)
	if err != nil {
		return nil, err
	}
	return NewImages(3, cifarSide, cifarSide, pix, labels, CIFAR10Classes)
}

// DecodeCIFAR100 reads a CIFAR-100 binary batch (3074-byte records: a
// coarse label 0..19, a fine label 0..99, then the pixels) from r, keeping
// the labels that which chooses; name is used in errors. Class names are
// left unset (CIFAR100 reads them from the data set's text files).
func DecodeCIFAR100(r io.Reader, name string, which CIFAR100Labels) (*Images, error) {
	keep := 1
	if which == CIFAR100Coarse {
		keep = 0
	} else if which != CIFAR100Fine {
		return nil, fmt.Errorf("data: DecodeCIFAR100: unknown label choice %d", which)
	}
	pix, labels, err := decodeCIFAR(r, name, []int{20, 100}, keep)
	if err != nil {
		return nil, err
	}
	return NewImages(3, cifarSide, cifarSide, pix, labels, nil)
}

// decodeCIFAR reads records whose label bytes have the given numbers of
// classes, keeping label number keep.
func decodeCIFAR(r io.Reader, name string, classes []int, keep int) ([]uint8, []int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	rec := len(classes) + cifarPixels
	buf := make([]byte, rec)
	var pix []uint8
	var labels []int
	for n := 0; ; n++ {
		off := int64(n) * int64(rec)
		got, err := io.ReadFull(br, buf)
		if err == io.EOF {
			if n == 0 {
				return nil, nil, formatErr(name, 0, "empty file: no CIFAR records")
			}
			return pix, labels, nil
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, formatErr(name, off, "truncated: record %d has %d of its %d bytes (the file's %d bytes are not a whole number of records)", n, got, rec, off+int64(got))
		}
		if err != nil {
			return nil, nil, formatErr(name, off+int64(got), "%v", err)
		}
		for k, nc := range classes {
			if int(buf[k]) >= nc {
				other := "CIFAR-100"
				if len(classes) == 2 {
					other = "CIFAR-10"
				}
				return nil, nil, formatErr(name, off+int64(k), "record %d: label %d is not below %d (is this a %s file?)", n, buf[k], nc, other)
			}
		}
		labels = append(labels, int(buf[keep]))
		pix = append(pix, buf[len(classes):]...)
	}
}

// ReadCIFAR10 reads and concatenates CIFAR-10 binary batch files.
func ReadCIFAR10(files ...string) (*Images, error) {
	return readCIFARFiles(files, func(r io.Reader, name string) (*Images, error) { return DecodeCIFAR10(r, name) })
}

// ReadCIFAR100 reads and concatenates CIFAR-100 binary batch files.
func ReadCIFAR100(which CIFAR100Labels, files ...string) (*Images, error) {
	return readCIFARFiles(files, func(r io.Reader, name string) (*Images, error) { return DecodeCIFAR100(r, name, which) })
}

func readCIFARFiles(files []string, decode func(io.Reader, string) (*Images, error)) (*Images, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("data: no CIFAR files given")
	}
	var all *Images
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		m, err := decode(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = m
			continue
		}
		all.Pix = append(all.Pix, m.Pix...)
		all.Labels = append(all.Labels, m.Labels...)
	}
	return all, nil
}

// CIFAR10 reads CIFAR-10's training set (data_batch_1.bin … data_batch_5.bin,
// 50000 images) or test set (test_batch.bin, 10000) from dir or from its
// subfolder cifar-10-batches-bin, as the binary version's archive unpacks.
// Class names come from batches.meta.txt when present.
func CIFAR10(dir string, train bool) (*Images, error) {
	names := []string{"test_batch.bin"}
	if train {
		names = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	}
	dir = cifarDir(dir, "cifar-10-batches-bin", names[0])
	var files []string
	for _, n := range names {
		files = append(files, filepath.Join(dir, n))
	}
	m, err := ReadCIFAR10(files...)
	if err != nil {
		return nil, err
	}
	if names := readNames(filepath.Join(dir, "batches.meta.txt"), 10); names != nil {
		m.classes = names
	}
	return m, nil
}

// CIFAR100 reads CIFAR-100's training set (train.bin, 50000 images) or test
// set (test.bin, 10000) from dir or from its subfolder cifar-100-binary,
// with fine or coarse labels. Class names come from fine_label_names.txt or
// coarse_label_names.txt when present.
func CIFAR100(dir string, train bool, which CIFAR100Labels) (*Images, error) {
	file := "test.bin"
	if train {
		file = "train.bin"
	}
	dir = cifarDir(dir, "cifar-100-binary", file)
	m, err := ReadCIFAR100(which, filepath.Join(dir, file))
	if err != nil {
		return nil, err
	}
	namesFile, n := "fine_label_names.txt", 100
	if which == CIFAR100Coarse {
		namesFile, n = "coarse_label_names.txt", 20
	}
	m.classes = readNames(filepath.Join(dir, namesFile), n)
	return m, nil
}

// cifarDir returns dir/sub when the marker file is there and not in dir.
func cifarDir(dir, sub, marker string) string {
	if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
		return dir
	}
	if _, err := os.Stat(filepath.Join(dir, sub, marker)); err == nil {
		return filepath.Join(dir, sub)
	}
	return dir
}

// readNames reads one class name a line; nil unless there are exactly n.
func readNames(path string, n int) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			names = append(names, line)
		}
	}
	if len(names) != n {
		return nil
	}
	return names
}
