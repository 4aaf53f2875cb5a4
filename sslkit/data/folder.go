package data

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/gossl/gossl/sslkit/ambient"
)

// FolderOptions controls ReadImageFolder. The zero value (or nil) keeps
// every image's size, which must then be the same for all, and chooses the
// channels from the images.
type FolderOptions struct {
	// Width and Height, when both set, resize every image to this size
	// with an antialiased bilinear (triangle) filter, as PIL's
	// Image.resize(size, BILINEAR) does.
	Width, Height int
	// Channels is 1 (gray) or 3 (RGB); 0 means 1 when every image is
	// grayscale and 3 otherwise. Colour becomes gray by ITU-R 601 luma,
	// gray becomes RGB by repetition; alpha is dropped.
	Channels int
	// Workers is the number of goroutines decoding images; 0 means
	// GOMAXPROCS.
	Workers int
}

// imageExtensions are the files ReadImageFolder reads; others are skipped.
var imageExtensions = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}

// ReadImageFolder reads a folder with one subfolder per class, like
// torchvision's ImageFolder: root/cat/001.png, root/dog/xyz.jpg, …. Class
// names are the subfolders' names in sorted order and label i is class i.
// Images are the .png, .jpg and .jpeg files (any case) anywhere under a class
// folder, in sorted order of folder then file name; other files, and
// folders whose names start with ".", are skipped. A class folder without
// images is an error, as in torchvision. Images are decoded on
// opt.Workers goroutines; ctx (nil: the notebook cell's context) stops it.
func ReadImageFolder(ctx context.Context, root string, opt *FolderOptions) (*Images, error) {
	if ctx == nil {
		ctx = ambient.Context()
	}
	var o FolderOptions
	if opt != nil {
		o = *opt
	}
	if (o.Width == 0) != (o.Height == 0) || o.Width < 0 || o.Height < 0 {
		return nil, fmt.Errorf("data: ReadImageFolder: Width %d and Height %d must both be positive, or both 0 to keep the images' size", o.Width, o.Height)
	}
	if o.Channels != 0 && o.Channels != 1 && o.Channels != 3 {
		return nil, fmt.Errorf("data: ReadImageFolder: Channels is %d; want 1, 3 or 0 (from the images)", o.Channels)
	}
	classes, files, labels, err := listImageFolder(root)
	if err != nil {
		return nil, err
	}

	// Headers first: they fix the size and channels before any pixels are
	// decoded, and a mismatch is reported before the long part.
	sizes := make([]image.Point, len(files))
	gray := true
	for i, path := range files {
		if i%256 == 0 {
			if err := ambient.Err(ctx); err != nil {
				return nil, fmt.Errorf("data: ReadImageFolder: %w", err)
			}
		}
		cfg, err := decodeConfig(path)
		if err != nil {
			return nil, err
		}
		sizes[i] = image.Pt(cfg.Width, cfg.Height)
		if cfg.Width <= 0 || cfg.Height <= 0 {
			return nil, fmt.Errorf("data: %s: empty image (%d×%d)", path, cfg.Width, cfg.Height)
		}
		if !isGrayModel(cfg.ColorModel) {
			gray = false
		}
		if o.Width == 0 && sizes[i] != sizes[0] {
			return nil, fmt.Errorf("data: image sizes differ: %s is %d×%d but %s is %d×%d; set FolderOptions.Width and Height to resize", path, cfg.Width, cfg.Height, files[0], sizes[0].X, sizes[0].Y)
		}
	}
	w, h := o.Width, o.Height
	if w == 0 {
		w, h = sizes[0].X, sizes[0].Y
	}
	c := o.Channels
	if c == 0 {
		c = 3
		if gray {
			c = 1
		}
	}

	per := c * w * h
	pix := make([]uint8, len(files)*per)
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error // the first file that failed; the others then stop
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var native []uint8
			for i := range jobs {
				if ambient.Err(ctx) != nil {
					cancel()
					continue
				}
				dst := pix[i*per : (i+1)*per]
				img, err := decodeFile(files[i])
				if err == nil && img.Bounds().Size() != sizes[i] {
					err = fmt.Errorf("data: %s: decodes to %v, its header said %v", files[i], img.Bounds().Size(), sizes[i])
				}
				if err != nil {
					fail(err)
					continue
				}
				if sizes[i].X == w && sizes[i].Y == h {
					imageBytes(img, c, dst)
					continue
				}
				sw, sh := sizes[i].X, sizes[i].Y
				if cap(native) < c*sw*sh {
					native = make([]uint8, c*sw*sh)
				}
				native = native[:c*sw*sh]
				imageBytes(img, c, native)
				for ch := 0; ch < c; ch++ {
					resizePlane(native[ch*sw*sh:(ch+1)*sw*sh], sw, sh, dst[ch*w*h:(ch+1)*w*h], w, h)
				}
			}
		}()
	}
feed:
	for i := range files {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ambient.Err(parent); err != nil {
		return nil, fmt.Errorf("data: ReadImageFolder: %w", err)
	}
	return NewImages(c, h, w, pix, labels, classes)
}

// listImageFolder returns the sorted class names and the image files with
// their labels.
func listImageFolder(root string) (classes, files []string, labels []int, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("data: ReadImageFolder: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if st, err := os.Stat(filepath.Join(root, e.Name())); err == nil && st.IsDir() {
			classes = append(classes, e.Name())
		}
	}
	sort.Strings(classes)
	if len(classes) == 0 {
		return nil, nil, nil, fmt.Errorf("data: ReadImageFolder: %s has no class subfolders", root)
	}
	for label, class := range classes {
		var found []string
		dir := filepath.Join(root, class)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && path != dir {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && imageExtensions[strings.ToLower(filepath.Ext(path))] {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("data: ReadImageFolder: %w", err)
		}
		if len(found) == 0 {
			return nil, nil, nil, fmt.Errorf("data: ReadImageFolder: class folder %s has no .png, .jpg or .jpeg files", dir)
		}
		// torchvision's order: by folder, then by file name.
		sort.SliceStable(found, func(a, b int) bool {
			da, db := filepath.Dir(found[a]), filepath.Dir(found[b])
			if da != db {
				return da < db
			}
			return filepath.Base(found[a]) < filepath.Base(found[b])
		})
		files = append(files, found...)
		for range found {
			labels = append(labels, label)
		}
	}
	return classes, files, labels, nil
}

func decodeConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return image.Config{}, fmt.Errorf("data: %s: %v", path, err)
	}
	return cfg, nil
}

func decodeFile(path string) (img image.Image, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	defer func() {
		// The standard decoders do not panic on bad input that we know of;
		// this keeps a decoder bug from killing a notebook's process.
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("data: %s: decoder panicked: %v", path, r)
		}
	}()
	img, _, err = image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v", path, err)
	}
	return img, nil
}

// resizePlane resizes one sw×sh plane of bytes to dw×dh with a triangle
// filter widened by the scale factor when shrinking (antialiasing), in two
// separable passes.
func resizePlane(src []uint8, sw, sh int, dst []uint8, dw, dh int) {
	xw := filterWeights(sw, dw)
	yw := filterWeights(sh, dh)
	tmp := make([]float32, sh*dw)
	for y := 0; y < sh; y++ {
		row := src[y*sw : (y+1)*sw]
		for x, f := range xw {
			var s float32
			for k, wt := range f.w {
				s += wt * float32(row[f.start+k])
			}
			tmp[y*dw+x] = s
		}
	}
	for y, f := range yw {
		for x := 0; x < dw; x++ {
			var s float32
			for k, wt := range f.w {
				s += wt * tmp[(f.start+k)*dw+x]
			}
			dst[y*dw+x] = uint8(math.Max(0, math.Min(255, math.Round(float64(s)))))
		}
	}
}

type filter struct {
	start int
	w     []float32
}

// filterWeights gives, for each of the out samples, the input samples it
// reads and their normalized triangle weights (PIL's bilinear filter).
func filterWeights(in, out int) []filter {
	scale := float64(in) / float64(out)
	support := math.Max(scale, 1)
	fs := make([]filter, out)
	for i := range fs {
		center := (float64(i) + 0.5) * scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		ws := make([]float32, hi-lo)
		var sum float64
		for j := lo; j < hi; j++ {
			x := math.Abs((float64(j) - center + 0.5) / support)
			if x < 1 {
				ws[j-lo] = float32(1 - x)
				sum += 1 - x
			}
		}
		for k := range ws {
			ws[k] = float32(float64(ws[k]) / sum)
		}
		fs[i] = filter{start: lo, w: ws}
	}
	return fs
}
