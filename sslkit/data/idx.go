package data

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Idx is the content of an idx file (the format of MNIST and
// Fashion-MNIST): an array of unsigned bytes with its dimensions.
type Idx struct {
	Dims []int
	Data []uint8
}

// maxIdxBytes bounds what an idx header may announce, so a corrupt header
// cannot ask for terabytes.
const maxIdxBytes = 1 << 34

// DecodeIdx reads an idx file of unsigned bytes (element type 0x08) from r,
// gzip-compressed or not (told apart by their magic numbers). name is used
// in errors; offsets in errors count bytes of the uncompressed stream.
func DecodeIdx(r io.Reader, name string) (*Idx, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	compressed := false
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, formatErr(name, 0, "bad gzip header: %v", err)
		}
		src, compressed = zr, true
	}
	cr := &countingReader{r: src}
	var head [4]byte
	if err := readAll(cr, head[:], name, "idx magic number"); err != nil {
		return nil, err
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, formatErr(name, 0, "not an idx file: magic number % x should start with 00 00", head)
	}
	if head[2] != 0x08 {
		return nil, formatErr(name, 2, "idx element type 0x%02x is not supported (only unsigned bytes, 0x08)", head[2])
	}
	ndims := int(head[3])
	if ndims == 0 {
		return nil, formatErr(name, 3, "idx file with 0 dimensions")
	}
	dimBytes := make([]byte, 4*ndims)
	if err := readAll(cr, dimBytes, name, fmt.Sprintf("%d idx dimensions", ndims)); err != nil {
		return nil, err
	}
	dims := make([]int, ndims)
	size := int64(1)
	for i := range dims {
		b := dimBytes[4*i:]
		d := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		dims[i] = int(d)
		if d == 0 {
			size = 0
		} else if size != 0 && size > maxIdxBytes/d {
			return nil, formatErr(name, int64(4+4*i), "idx dimensions %v announce more than %d bytes", dims[:i+1], int64(maxIdxBytes))
		}
		size *= d
	}
	data, err := readN(cr, size)
	if err != nil {
		return nil, dataErr(name, cr.n, size, int64(4+4*ndims), err, compressed)
	}
	// Anything after the array means the header does not describe the file.
	var one [1]byte
	if n, _ := io.ReadFull(cr, one[:]); n > 0 {
		return nil, formatErr(name, cr.n-1, "data continues after the %d bytes that dimensions %v announce", size, dims)
	}
	if compressed {
		// Reading to the end has checked the gzip checksum; a bad one
		// surfaces as an error from the last read.
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return nil, formatErr(name, cr.n, "gzip: %v", err)
		}
	}
	return &Idx{Dims: dims, Data: data}, nil
}

func dataErr(name string, at, size, start int64, err error, compressed bool) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		what := "file"
		if compressed {
			what = "uncompressed stream"
		}
		return formatErr(name, at, "truncated: %s ends after %d of the %d data bytes the idx header announces", what, at-start, size)
	}
	if compressed {
		return formatErr(name, at, "gzip: %v", err)
	}
	return formatErr(name, at, "%v", err)
}

// ReadIdxFile reads one idx file (gzip or not).
func ReadIdxFile(path string) (*Idx, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return DecodeIdx(f, path)
}

// ReadIdx reads an idx images file of shape (N, H, W) and its idx labels
// file of shape (N) into a one-channel Images dataset. labelsPath may be
// empty for unlabelled images.
func ReadIdx(imagesPath, labelsPath string) (*Images, error) {
	im, err := ReadIdxFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if len(im.Dims) != 3 {
		return nil, formatErr(imagesPath, 3, "idx images have %d dimensions %v, want 3 (N, H, W)", len(im.Dims), im.Dims)
	}
	if im.Dims[1] == 0 || im.Dims[2] == 0 {
		return nil, formatErr(imagesPath, 8, "idx images of size %d×%d", im.Dims[1], im.Dims[2])
	}
	var labels []int
	if labelsPath != "" {
		lb, err := ReadIdxFile(labelsPath)
		if err != nil {
			return nil, err
		}
		if len(lb.Dims) != 1 {
			return nil, formatErr(labelsPath, 3, "idx labels have %d dimensions %v, want 1 (N)", len(lb.Dims), lb.Dims)
		}
		if lb.Dims[0] != im.Dims[0] {
			return nil, formatErr(labelsPath, 4, "%d labels for the %d images of %s", lb.Dims[0], im.Dims[0], imagesPath)
		}
		labels = make([]int, len(lb.Data))
		for i, b := range lb.Data {
			labels[i] = int(b)
		}
	}
	return NewImages(1, im.Dims[1], im.Dims[2], im.Data, labels, nil)
}

// FashionMNISTDir is where Debian's dataset-fashion-mnist package installs
// Fashion-MNIST.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClasses names Fashion-MNIST's labels 0..9.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// FashionMNIST reads Fashion-MNIST's training set (60000 images) or test
// set (10000) from dir, FashionMNISTDir when dir is empty. The files have
// the standard names (train-images-idx3-ubyte, t10k-labels-idx1-ubyte, …),
// gzip-compressed (".gz") or not. Images are 1×28×28.
func FashionMNIST(dir string, train bool) (*Images, error) {
	if dir == "" {
		dir = FashionMNISTDir
	}
	return readMNIST(dir, train, FashionMNISTClasses)
}

// MNIST reads MNIST's training set (60000 images) or test set (10000) from
// dir, in the same files and layout as FashionMNIST. Classes are "0".."9".
func MNIST(dir string, train bool) (*Images, error) {
	if dir == "" {
		return nil, fmt.Errorf("data: MNIST: no directory given (MNIST has no default location on this system)")
	}
	return readMNIST(dir, train, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
}

func readMNIST(dir string, train bool, classes []string) (*Images, error) {
	prefix := "t10k"
	if train {
		prefix = "train"
	}
	images, err := findFile(dir, prefix+"-images-idx3-ubyte", prefix+"-images.idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labels, err := findFile(dir, prefix+"-labels-idx1-ubyte", prefix+"-labels.idx1-ubyte")
	if err != nil {
		return nil, err
	}
	m, err := ReadIdx(images, labels)
	if err != nil {
		return nil, err
	}
	for i, l := range m.Labels {
		if l >= len(classes) {
			return nil, formatErr(labels, int64(8+i), "label %d of image %d is not one of the %d classes", l, i, len(classes))
		}
	}
	m.classes = classes
	return m, nil
}

// findFile returns the first of dir/name and dir/name.gz that exists.
func findFile(dir string, names ...string) (string, error) {
	for _, n := range names {
		for _, p := range []string{n + ".gz", n} {
			path := filepath.Join(dir, p)
			if _, err := os.Stat(path); err == nil {
				return path, nil
			}
		}
	}
	return "", fmt.Errorf("data: %s has no file %s or %s.gz", dir, names[0], names[0])
}

// countingReader counts the bytes read through it, for error offsets.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readAll fills buf or reports where the file ended.
func readAll(cr *countingReader, buf []byte, name, what string) error {
	start := cr.n
	if _, err := io.ReadFull(cr, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return formatErr(name, cr.n, "truncated: the file ends inside the %s (%d of %d bytes)", what, cr.n-start, len(buf))
		}
		return formatErr(name, cr.n, "%v", err)
	}
	return nil
}

// readN reads exactly n bytes, growing its buffer as data arrives rather
// than trusting n up front.
func readN(r io.Reader, n int64) ([]byte, error) {
	const chunk = 1 << 22
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, int64(2*cap(buf))+chunk))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if err == io.EOF && int64(len(buf)) == n {
				break
			}
			if err == io.EOF {
				return buf, io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}
