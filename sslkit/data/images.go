package data

import (
	"fmt"
	"image"
	"image/color"

	"gorgonia.org/tensor"
)

// Images is an in-memory dataset of same-sized images stored as bytes, the
// compact form the readers of this package produce (Fashion-MNIST's 60000
// training images take 47 MB). Item converts one image to float32 in [0, 1]
// on demand. Images is safe for concurrent use by a Loader's workers as long
// as nobody writes to it.
type Images struct {
	// Pix holds the pixels of all images in (N, C, H, W) order, one byte
	// each: 0 is black (or no ink), 255 is white (full intensity).
	Pix []uint8
	// Labels holds one label per image; nil means unlabelled (Item then
	// returns -1).
	Labels []int
	// C, H and W are the channels, rows and columns of every image.
	C, H, W int

	classes []string
}

// NewImages wraps pixels in (N, C, H, W) byte order and their labels as a
// Dataset; classes, which may be nil, names the labels 0..len(classes)-1.
// It checks that the sizes agree and that every label names a class.
func NewImages(c, h, w int, pix []uint8, labels []int, classes []string) (*Images, error) {
	if c <= 0 || h <= 0 || w <= 0 {
		return nil, fmt.Errorf("data: NewImages: image shape (%d, %d, %d) must be positive", c, h, w)
	}
	size := c * h * w
	if len(pix)%size != 0 {
		return nil, fmt.Errorf("data: NewImages: %d bytes of pixels is not a whole number of %d×%d×%d images", len(pix), c, h, w)
	}
	n := len(pix) / size
	if labels != nil && len(labels) != n {
		return nil, fmt.Errorf("data: NewImages: %d labels for %d images", len(labels), n)
	}
	for i, l := range labels {
		if l < 0 || (classes != nil && l >= len(classes)) {
			return nil, fmt.Errorf("data: NewImages: label %d of image %d is outside 0..%d", l, i, len(classes)-1)
		}
	}
	return &Images{Pix: pix, Labels: labels, C: c, H: h, W: w, classes: classes}, nil
}

// Len returns the number of images.
func (m *Images) Len() int {
	size := m.C * m.H * m.W
	if size <= 0 {
		return 0
	}
	return len(m.Pix) / size
}

// Item returns image i as a new (C, H, W) float32 tensor with values
// byte/255, and its label (-1 when unlabelled).
func (m *Images) Item(i int) (*tensor.Dense, int, error) {
	if i < 0 || i >= m.Len() {
		return nil, 0, fmt.Errorf("data: item %d out of range [0, %d)", i, m.Len())
	}
	size := m.C * m.H * m.W
	src := m.Pix[i*size : (i+1)*size]
	dst := make([]float32, size)
	for k, b := range src {
		dst[k] = byteToUnit[b]
	}
	label := -1
	if m.Labels != nil {
		label = m.Labels[i]
	}
	return tensor.New(tensor.WithShape(m.C, m.H, m.W), tensor.WithBacking(dst)), label, nil
}

// Label returns the label of image i (-1 when unlabelled).
func (m *Images) Label(i int) (int, error) {
	if i < 0 || i >= m.Len() {
		return 0, fmt.Errorf("data: item %d out of range [0, %d)", i, m.Len())
	}
	if m.Labels == nil {
		return -1, nil
	}
	return m.Labels[i], nil
}

// byteToUnit[b] is float32(b)/255, torchvision's ToTensor scaling, bit for bit.
var byteToUnit = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(b) / 255
	}
	return t
}()

// Classes returns the class names, indexed by label (nil when unknown).
func (m *Images) Classes() []string { return m.classes }

// SetClasses names the labels; it fails when a label has no name.
func (m *Images) SetClasses(names []string) error {
	for i, l := range m.Labels {
		if l >= len(names) {
			return fmt.Errorf("data: SetClasses: label %d of image %d has no name among %d classes", l, i, len(names))
		}
	}
	m.classes = names
	return nil
}

// Image returns image i as an image.Image for display: *image.Gray for one
// channel, *image.RGBA for three.
func (m *Images) Image(i int) (image.Image, error) {
	if i < 0 || i >= m.Len() {
		return nil, fmt.Errorf("data: image %d out of range [0, %d)", i, m.Len())
	}
	plane := m.H * m.W
	src := m.Pix[i*m.C*plane : (i+1)*m.C*plane]
	rect := image.Rect(0, 0, m.W, m.H)
	switch m.C {
	case 1:
		g := image.NewGray(rect)
		copy(g.Pix, src)
		return g, nil
	case 3:
		rgba := image.NewRGBA(rect)
		for p := 0; p < plane; p++ {
			rgba.Pix[4*p] = src[p]
			rgba.Pix[4*p+1] = src[plane+p]
			rgba.Pix[4*p+2] = src[2*plane+p]
			rgba.Pix[4*p+3] = 255
		}
		return rgba, nil
	}
	return nil, fmt.Errorf("data: image %d has %d channels; only 1 or 3 can be shown", i, m.C)
}

// FromImages builds an Images dataset from decoded images, which must all
// have the same size. It stores one channel when every image is grayscale
// and three (RGB) otherwise; alpha is dropped. labels may be nil and
// classes may be nil.
func FromImages(imgs []image.Image, labels []int, classes []string) (*Images, error) {
	if len(imgs) == 0 {
		return nil, fmt.Errorf("data: FromImages: no images")
	}
	size := imgs[0].Bounds().Size()
	c := 1
	for i, img := range imgs {
		if img == nil {
			return nil, fmt.Errorf("data: FromImages: image %d is nil", i)
		}
		if s := img.Bounds().Size(); s != size {
			return nil, fmt.Errorf("data: FromImages: image %d is %d×%d but image 0 is %d×%d (resize them first, or use ReadImageFolder's Width and Height)", i, s.X, s.Y, size.X, size.Y)
		}
		if !isGrayModel(img.ColorModel()) {
			c = 3
		}
	}
	if size.X <= 0 || size.Y <= 0 {
		return nil, fmt.Errorf("data: FromImages: images are empty (%d×%d)", size.X, size.Y)
	}
	per := c * size.X * size.Y
	pix := make([]uint8, len(imgs)*per)
	for i, img := range imgs {
		imageBytes(img, c, pix[i*per:(i+1)*per])
	}
	return NewImages(c, size.Y, size.X, pix, labels, classes)
}

// isGrayModel reports whether every colour of model m is a gray.
func isGrayModel(m color.Model) bool {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return true
	}
	if p, ok := m.(color.Palette); ok {
		for _, c := range p {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
	return false
}

// imageBytes writes img's pixels as c planes of bytes into dst: colour is
// taken without alpha (as PIL's convert("RGB") does), gray from colour with
// ITU-R 601 luma (as PIL's convert("L") does).
func imageBytes(img image.Image, c int, dst []uint8) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	plane := w * h
	if g, ok := img.(*image.Gray); ok && c == 1 {
		for y := 0; y < h; y++ {
			copy(dst[y*w:(y+1)*w], g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := y*w + x
			col := img.At(b.Min.X+x, b.Min.Y+y)
			var r, g, bl uint8
			switch cc := col.(type) {
			case color.Gray:
				r, g, bl = cc.Y, cc.Y, cc.Y
			case color.Gray16:
				v := uint8(cc.Y >> 8)
				r, g, bl = v, v, v
			default:
				n := color.NRGBAModel.Convert(col).(color.NRGBA)
				r, g, bl = n.R, n.G, n.B
			}
			if c == 1 {
				dst[p] = uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(bl)*7471 + 1<<15) >> 16)
			} else {
				dst[p], dst[plane+p], dst[2*plane+p] = r, g, bl
			}
		}
	}
}

// FromTensors wraps float32 image tensors and their labels (nil: all -1)
// as a Dataset. Item returns a copy, so the caller's tensors stay intact
// whatever a Viewer does to the copy.
func FromTensors(imgs []*tensor.Dense, labels []int) (Dataset, error) {
	if labels != nil && len(labels) != len(imgs) {
		return nil, fmt.Errorf("data: FromTensors: %d labels for %d images", len(labels), len(imgs))
	}
	for i, t := range imgs {
		if t == nil {
			return nil, fmt.Errorf("data: FromTensors: image %d is nil", i)
		}
		if t.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("data: FromTensors: image %d has dtype %v, want float32", i, t.Dtype())
		}
		if t.Dims() != 3 {
			return nil, fmt.Errorf("data: FromTensors: image %d has shape %v, want (C, H, W)", i, t.Shape())
		}
	}
	return &tensorSet{imgs: imgs, labels: labels}, nil
}

type tensorSet struct {
	imgs   []*tensor.Dense
	labels []int
}

func (s *tensorSet) Len() int { return len(s.imgs) }

func (s *tensorSet) Item(i int) (*tensor.Dense, int, error) {
	if i < 0 || i >= len(s.imgs) {
		return nil, 0, fmt.Errorf("data: item %d out of range [0, %d)", i, len(s.imgs))
	}
	label := -1
	if s.labels != nil {
		label = s.labels[i]
	}
	data, err := float32s(s.imgs[i])
	if err != nil {
		return nil, 0, fmt.Errorf("data: item %d: %w", i, err)
	}
	cp := make([]float32, len(data))
	copy(cp, data)
	return tensor.New(tensor.WithShape(s.imgs[i].Shape().Clone()...), tensor.WithBacking(cp)), label, nil
}

func (s *tensorSet) Label(i int) (int, error) {
	if i < 0 || i >= len(s.imgs) {
		return 0, fmt.Errorf("data: item %d out of range [0, %d)", i, len(s.imgs))
	}
	if s.labels == nil {
		return -1, nil
	}
	return s.labels[i], nil
}

// float32s returns t's elements in row-major order, copying only when t is
// a strided view.
func float32s(t *tensor.Dense) ([]float32, error) {
	if t.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("dtype %v, want float32", t.Dtype())
	}
	if t.IsMaterializable() || t.RequiresIterator() {
		m, ok := t.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("cannot materialize a %T", t.Materialize())
		}
		t = m
	}
	data, ok := t.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("data of type %T, want []float32", t.Data())
	}
	n := t.Shape().TotalSize()
	if len(data) < n {
		return nil, fmt.Errorf("%d elements for shape %v", len(data), t.Shape())
	}
	return data[:n], nil
}
