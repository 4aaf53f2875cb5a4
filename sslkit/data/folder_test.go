package data

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func pngBytes(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func randomRGBA(w, h int, rng *rand.Rand) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng.Read(img.Pix)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

func randomGray(w, h int, rng *rand.Rand) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	rng.Read(img.Pix)
	return img
}

func TestImageFolderGrayAndOrder(t *testing.T) {
	root := t.TempDir()
	rng := rand.New(rand.NewSource(8))
	want := map[string]*image.Gray{}
	for _, f := range []string{"zebra/b.png", "zebra/a.png", "ant/x.PNG", "ant/sub/c.png"} {
		img := randomGray(6, 4, rng)
		want[f] = img
		writeFile(t, filepath.Join(root, f), pngBytes(t, img))
	}
	writeFile(t, filepath.Join(root, "ant/notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(root, ".ipynb_checkpoints/z.png"), pngBytes(t, randomGray(6, 4, rng)))
	writeFile(t, filepath.Join(root, "README"), []byte("x"))
	ds, err := ReadImageFolder(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := ds.Classes(); len(c) != 2 || c[0] != "ant" || c[1] != "zebra" {
		t.Fatalf("classes %v", c)
	}
	// torchvision's order: class, then folder, then file name.
	order := []string{"ant/x.PNG", "ant/sub/c.png", "zebra/a.png", "zebra/b.png"}
	if ds.Len() != len(order) || ds.C != 1 || ds.H != 4 || ds.W != 6 {
		t.Fatalf("%d images of %d×%d×%d", ds.Len(), ds.C, ds.H, ds.W)
	}
	for i, f := range order {
		if !bytes.Equal(ds.Pix[i*24:(i+1)*24], want[f].Pix) {
			t.Fatalf("image %d is not %s", i, f)
		}
		if wantLabel := map[bool]int{true: 0, false: 1}[strings.HasPrefix(f, "ant")]; ds.Labels[i] != wantLabel {
			t.Fatalf("image %d (%s): label %d", i, f, ds.Labels[i])
		}
	}
}

func TestImageFolderChannels(t *testing.T) {
	root := t.TempDir()
	rng := rand.New(rand.NewSource(9))
	gray := randomGray(3, 2, rng)
	rgb := randomRGBA(3, 2, rng)
	writeFile(t, filepath.Join(root, "a/gray.png"), pngBytes(t, gray))
	writeFile(t, filepath.Join(root, "b/rgb.png"), pngBytes(t, rgb))
	ds, err := ReadImageFolder(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.C != 3 {
		t.Fatalf("mixed gray and colour gave %d channels, want 3", ds.C)
	}
	for p := 0; p < 6; p++ {
		for c := 0; c < 3; c++ {
			if ds.Pix[c*6+p] != gray.Pix[p] {
				t.Fatalf("gray pixel %d not repeated in channel %d", p, c)
			}
			if ds.Pix[18+c*6+p] != rgb.Pix[4*p+c] {
				t.Fatalf("colour pixel %d channel %d: %d, want %d", p, c, ds.Pix[18+c*6+p], rgb.Pix[4*p+c])
			}
		}
	}
	ds1, err := ReadImageFolder(context.Background(), root, &FolderOptions{Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < 6; p++ {
		r, g, b := float64(rgb.Pix[4*p]), float64(rgb.Pix[4*p+1]), float64(rgb.Pix[4*p+2])
		luma := 0.299*r + 0.587*g + 0.114*b
		if d := float64(ds1.Pix[6+p]) - luma; d > 0.51 || d < -0.51 {
			t.Fatalf("pixel %d: gray %d, luma %.2f", p, ds1.Pix[6+p], luma)
		}
	}
}

func TestImageFolderJPEG(t *testing.T) {
	root := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 200, 40, 90, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "red/x.jpg"), b.Bytes())
	writeFile(t, filepath.Join(root, "red/y.JPEG"), b.Bytes())
	ds, err := ReadImageFolder(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 2 || ds.C != 3 {
		t.Fatalf("%d images, %d channels", ds.Len(), ds.C)
	}
	for c, want := range []int{200, 40, 90} {
		got := int(ds.Pix[c*256+100])
		if got < want-4 || got > want+4 {
			t.Fatalf("channel %d: %d, want about %d", c, got, want)
		}
	}
}

func TestImageFolderErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	ctx := context.Background()
	root := t.TempDir()
	a := writeFile(t, filepath.Join(root, "a/1.png"), pngBytes(t, randomGray(5, 5, rng)))
	b := writeFile(t, filepath.Join(root, "b/2.png"), pngBytes(t, randomGray(6, 5, rng)))
	_, err := ReadImageFolder(ctx, root, nil)
	if err == nil || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) || !strings.Contains(err.Error(), "Width and Height") {
		t.Fatalf("sizes differ: %v", err)
	}
	if ds, err := ReadImageFolder(ctx, root, &FolderOptions{Width: 4, Height: 3}); err != nil || ds.H != 3 || ds.W != 4 || ds.Len() != 2 {
		t.Fatalf("resized: %v", err)
	}
	for _, o := range []FolderOptions{{Width: 4}, {Width: -1, Height: -1}, {Channels: 2}} {
		if _, err := ReadImageFolder(ctx, root, &o); err == nil {
			t.Fatalf("options %+v: no error", o)
		}
	}

	corrupt := t.TempDir()
	good := pngBytes(t, randomGray(5, 5, rng))
	writeFile(t, filepath.Join(corrupt, "a/ok.png"), good)
	bad := writeFile(t, filepath.Join(corrupt, "a/cut.png"), good[:len(good)-20])
	if _, err := ReadImageFolder(ctx, corrupt, nil); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("cut PNG: %v", err)
	}
	garbage := t.TempDir()
	g := writeFile(t, filepath.Join(garbage, "a/x.jpg"), []byte("this is not a jpeg"))
	if _, err := ReadImageFolder(ctx, garbage, nil); err == nil || !strings.Contains(err.Error(), g) {
		t.Fatalf("garbage JPEG: %v", err)
	}

	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "a/1.png"), good)
	os.MkdirAll(filepath.Join(empty, "b"), 0o755)
	if _, err := ReadImageFolder(ctx, empty, nil); err == nil || !strings.Contains(err.Error(), filepath.Join(empty, "b")) {
		t.Fatalf("empty class: %v", err)
	}
	if _, err := ReadImageFolder(ctx, t.TempDir(), nil); err == nil {
		t.Fatal("no classes: no error")
	}
	if _, err := ReadImageFolder(ctx, filepath.Join(root, "absent"), nil); err == nil {
		t.Fatal("absent root: no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadImageFolder(cancelled, root, &FolderOptions{Width: 4, Height: 4}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// The resize filter, worked by hand on one row: shrinking 4 → 2 widens the
// triangle to support 2, so output 0 (centre 1) weighs inputs 0, 1, 2 by
// 3/4, 3/4, 1/4 and output 1 (centre 3) weighs inputs 1, 2, 3 by 1/4, 3/4,
// 3/4.
func TestResizeByHand(t *testing.T) {
	dst := make([]uint8, 2)
	resizePlane([]uint8{0, 0, 255, 255}, 4, 1, dst, 2, 1)
	if want := []uint8{36, 219}; !bytes.Equal(dst, want) { // 255/7 = 36.4, 255·6/7 = 218.6
		t.Fatalf("got %v, want %v", dst, want)
	}
	flat := bytes.Repeat([]uint8{77}, 35)
	big := make([]uint8, 11*13)
	resizePlane(flat, 5, 7, big, 11, 13)
	for i, v := range big {
		if v != 77 {
			t.Fatalf("constant image upscaled: pixel %d is %d", i, v)
		}
	}
}

// TestImageFolderMatchesTorchvision reads the same folder with
// torchvision's ImageFolder and PIL's bilinear resize, when Debian's
// python3-torchvision is installed.
func TestImageFolderMatchesTorchvision(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python and torch (seconds)")
	}
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import torchvision, PIL, numpy").Run() != nil {
		t.Skip("needs /usr/bin/python3 with torchvision, PIL and numpy (Debian's python3-torchvision)")
	}
	root := t.TempDir()
	rng := rand.New(rand.NewSource(11))
	files := []string{"dog/b.png", "dog/a/z.png", "dog/c.png", "cat/1.png", "cat/0.jpg", "bird/q.png", "bird/Q.png"}
	sizes := [][2]int{{20, 17}, {9, 13}, {40, 40}, {16, 16}, {23, 31}, {8, 8}, {64, 48}}
	for i, f := range files {
		img := randomRGBA(sizes[i][0], sizes[i][1], rng)
		content := pngBytes(t, img)
		if strings.HasSuffix(f, ".jpg") {
			// Smooth, so that libjpeg's and Go's chroma upsampling agree.
			for y := 0; y < img.Rect.Dy(); y++ {
				for x := 0; x < img.Rect.Dx(); x++ {
					img.SetNRGBA(x, y, color.NRGBA{uint8(8 * x), uint8(6 * y), uint8(4 * (x + y)), 255})
				}
			}
			var b bytes.Buffer
			jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
			content = b.Bytes()
		}
		writeFile(t, filepath.Join(root, f), content)
	}
	writeFile(t, filepath.Join(root, "cat/skip.txt"), []byte("x"))
	const w, h = 16, 12
	script := `
import sys, numpy as np
from PIL import Image
from torchvision.datasets import ImageFolder
root, out = sys.argv[1], sys.argv[2]
ds = ImageFolder(root)
print(" ".join(ds.classes))
with open(out, "wb") as f:
    for path, label in ds.samples:
        print(path[len(root)+1:], label)
        im = Image.open(path).convert("RGB").resize((16, 12), Image.BILINEAR)
        f.write(np.asarray(im).transpose(2, 0, 1).tobytes())
`
	out := filepath.Join(t.TempDir(), "ref.bin")
	stdout, err := exec.Command(py, "-c", script, root, out).Output()
	if err != nil {
		t.Fatalf("torchvision: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	ds, err := ReadImageFolder(context.Background(), root, &FolderOptions{Width: w, Height: h})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ds.Classes(), " "); got != lines[0] {
		t.Fatalf("classes %q, torchvision %q", got, lines[0])
	}
	if ds.Len() != len(lines)-1 || ds.C != 3 {
		t.Fatalf("%d images of %d channels, torchvision has %d", ds.Len(), ds.C, len(lines)-1)
	}
	ref, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	per := 3 * w * h
	for i, line := range lines[1:] {
		fields := strings.Fields(line)
		label, _ := strconv.Atoi(fields[1])
		if ds.Labels[i] != label {
			t.Fatalf("sample %d (%s): label %d, torchvision %d", i, fields[0], ds.Labels[i], label)
		}
		isJPEG := strings.HasSuffix(fields[0], ".jpg")
		for k := 0; k < per; k++ {
			d := int(ds.Pix[i*per+k]) - int(ref[i*per+k])
			// PIL rounds between its two passes; JPEG decoders differ a little.
			tol := 1
			if isJPEG {
				tol = 4
			}
			if d > tol || d < -tol {
				t.Fatalf("sample %d (%s) byte %d: %d, PIL %d", i, fields[0], k, ds.Pix[i*per+k], ref[i*per+k])
			}
		}
	}
}
