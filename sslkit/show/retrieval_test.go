package show

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/eval"
)

// grays is a dataset whose image i is a flat 1×8×8 gray of level 20·i,
// so a rendered tile tells which image it shows.
type grays struct {
	n       int
	classes []string
}

func (g grays) Len() int { return g.n }
func (g grays) Item(i int) (*tensor.Dense, int, error) {
	if i < 0 || i >= g.n {
		return nil, 0, fmt.Errorf("index %d", i)
	}
	px := make([]float32, 64)
	for j := range px {
		px[j] = float32(20*i) / 255
	}
	return tensor.New(tensor.WithShape(1, 8, 8), tensor.WithBacking(px)), i % 2, nil
}
func (g grays) Classes() []string { return g.classes }

// arcFeatures puts item i at angle 0.1·i on the unit circle: the
// neighbours of i are i±1, then i±2, …
func arcFeatures(n int) *eval.Features {
	f := &eval.Features{N: n, D: 2, Data: make([]float32, 2*n), Labels: make([]int, n)}
	for i := 0; i < n; i++ {
		f.Data[2*i], f.Data[2*i+1] = float32(math.Cos(0.1*float64(i))), float32(math.Sin(0.1*float64(i)))
		f.Labels[i] = i % 2
	}
	return f
}

// tileLevels reads the gray level at the centre of every tile of an
// rows×cols grid image.
func tileLevels(img image.Image, rows, cols int) [][]int {
	const pad = 4
	b := img.Bounds()
	pitchX := (b.Dx() - pad) / cols
	pitchY := (b.Dy() - pad) / rows
	out := make([][]int, rows)
	for r := range out {
		for c := 0; c < cols; c++ {
			x := pad + c*pitchX + (pitchX-pad)/2
			y := pad + r*pitchY + (pitchY-pad-16)/2 // a 16-pixel caption under each tile
			red, _, _, _ := img.At(x, y).RGBA()
			out[r] = append(out[r], int(red>>8))
		}
	}
	return out
}

func TestRetrievalShowsNearestFirst(t *testing.T) {
	ds := grays{n: 12, classes: []string{"even", "odd"}}
	f := arcFeatures(12)
	g, err := Retrieval(context.Background(), ds, f, ds, f, RetrievalOptions{K: 3, Queries: []int{5, 0}, ExcludeSelf: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 8 || g.String() != "image grid: 8 images in 2×4" {
		t.Fatalf("grid %v with %d images, want 2 rows of query + 3", g, g.Len())
	}
	img, err := g.Image()
	if err != nil {
		t.Fatal(err)
	}
	// Query 5: itself excluded, then 4 and 6 (equally near: the lower
	// index first), then 3. Query 0: 1, 2, 3.
	want := [][]int{{100, 80, 120, 60}, {0, 20, 40, 60}}
	got := tileLevels(img, 2, 4)
	for r := range want {
		for c := range want[r] {
			if d := got[r][c] - want[r][c]; d < -2 || d > 2 {
				t.Fatalf("tile levels %v, want %v (row %d, column %d)", got, want, r, c)
			}
		}
	}
	// Without ExcludeSelf a query from the gallery finds itself first.
	g, err = Retrieval(context.Background(), ds, f, ds, f, RetrievalOptions{K: 2, Queries: []int{7}})
	if err != nil {
		t.Fatal(err)
	}
	img, _ = g.Image()
	if got := tileLevels(img, 1, 3); got[0][1] != 140 {
		t.Errorf("without ExcludeSelf: levels %v, want the query itself (140) first", got)
	}
}

func TestRetrievalDefaultsAndErrors(t *testing.T) {
	ds := grays{n: 12}
	f := arcFeatures(12)
	g, err := Retrieval(context.Background(), ds, f, ds, f, RetrievalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 5*9 {
		t.Errorf("defaults: %d images, want 5 queries × (1 + 8)", g.Len())
	}
	// K larger than the gallery: every row shows the whole gallery.
	small := arcFeatures(3)
	g, err = Retrieval(context.Background(), grays{n: 3}, small, ds, f, RetrievalOptions{K: 10, Queries: []int{1, 11}})
	if err != nil || g.Len() != 2*4 {
		t.Errorf("K > gallery: %v, %v", g, err)
	}
	for name, c := range map[string]struct {
		opt  RetrievalOptions
		feat *eval.Features
		want string
	}{
		"query range":  {RetrievalOptions{Queries: []int{12}}, f, "query 12 out of range"},
		"negative K":   {RetrievalOptions{K: -2}, f, "K must be positive"},
		"row mismatch": {RetrievalOptions{}, arcFeatures(5), "12 gallery images for 5 feature rows"},
		"empty":        {RetrievalOptions{Queries: []int{}}, f, "no queries"},
	} {
		_, err := Retrieval(context.Background(), ds, c.feat, ds, f, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Retrieval(ctx, ds, f, ds, f, RetrievalOptions{}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("cancelled: %v", err)
	}
}
