package show

import (
	"fmt"
	"image"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/sslkit/data"
)

// Views draws n images of ds (chosen with seed, without repeats) and
// returns a grid with one row per image: the image itself, captioned with
// its index and class, then each of its views by v (SimCLR's two, DINO's
// multi-crop). The same seed gives the same grid. n larger than the
// dataset shows every image. Views outside [0, 1] (normalised) are
// stretched per view for display.
func Views(ds data.Dataset, v data.Viewer, n int, seed int64) (*display.Grid, error) {
	if ds == nil || v == nil {
		return nil, fmt.Errorf("show.Views: nil dataset or viewer")
	}
	if n < 1 {
		return nil, fmt.Errorf("show.Views: %d images, want at least 1", n)
	}
	size := ds.Len()
	if size < 1 {
		return nil, fmt.Errorf("show.Views: the dataset is empty")
	}
	n = min(n, size)
	rng := rand.New(rand.NewSource(seed))
	classes := classNames(ds)
	var (
		images   []image.Image
		captions []string
		perRow   = -1
	)
	for _, idx := range sample(rng, size, n) {
		img, label, err := ds.Item(idx)
		if err != nil {
			return nil, fmt.Errorf("show.Views: item %d: %w", idx, err)
		}
		orig, err := tensorImage(img)
		if err != nil {
			return nil, fmt.Errorf("show.Views: item %d: %w", idx, err)
		}
		views, err := v.Views(img, rng)
		if err != nil {
			return nil, fmt.Errorf("show.Views: views of item %d: %w", idx, err)
		}
		if perRow < 0 {
			perRow = len(views)
		} else if len(views) != perRow {
			return nil, fmt.Errorf("show.Views: item %d has %d views, the first had %d", idx, len(views), perRow)
		}
		caption := fmt.Sprintf("#%d", idx)
		if label >= 0 && label < len(classes) {
			caption += " " + classes[label]
		} else {
			caption += fmt.Sprintf(" y=%d", label)
		}
		images = append(images, orig)
		captions = append(captions, caption)
		for k, view := range views {
			im, err := tensorImage(view)
			if err != nil {
				return nil, fmt.Errorf("show.Views: view %d of item %d: %w", k, idx, err)
			}
			images = append(images, im)
			s := view.Shape()
			captions = append(captions, fmt.Sprintf("v%d %dx%d", k+1, s[len(s)-2], s[len(s)-1]))
		}
	}
	g := display.ImageGrid(images, 1+perRow, captions)
	return g, g.Err()
}

// tensorImage converts one (C, H, W) image tensor, C = 1 or 3, with
// display's converter (values in [0, 1] map to 0–255, others are
// stretched from min to max).
func tensorImage(t *tensor.Dense) (image.Image, error) {
	if t == nil {
		return nil, fmt.Errorf("nil image")
	}
	if s := t.Shape(); len(s) != 3 {
		return nil, fmt.Errorf("image of shape %v, want (C, H, W)", s)
	}
	imgs, err := display.TensorImages(t)
	if err != nil {
		return nil, err
	}
	return imgs[0], nil
}

// classNames returns the dataset's class names when it knows them.
func classNames(ds data.Dataset) []string {
	if c, ok := ds.(interface{ Classes() []string }); ok {
		return c.Classes()
	}
	return nil
}

// sample draws k distinct indices of 0..n-1 in random order.
func sample(rng *rand.Rand, n, k int) []int {
	if k*4 >= n {
		return rng.Perm(n)[:k]
	}
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for len(out) < k {
		i := rng.Intn(n)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}
