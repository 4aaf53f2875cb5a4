package nn

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	"gorgonia.org/tensor"
)

// The Winograd kernels agree with the definition and with the im2col
// kernels on odd and even sizes, padding 0, 1 and 2, batch 1, one and
// several image chunks (the kernels are called directly: the layers use
// them only from winoMinChannels channels on).
func TestWinogradMatchesDefinitionAndIm2col(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	defer func(b int) { winoBudget = b }(winoBudget)
	cases := []struct {
		n, c, h, w, out, p int
		budget             int
	}{
		{1, 16, 8, 8, 16, 1, 1 << 20},
		{3, 16, 7, 9, 20, 1, 1 << 20},
		{5, 17, 6, 6, 16, 0, 1 << 20},
		{4, 16, 5, 5, 24, 2, 1 << 20},
		{6, 32, 4, 4, 16, 1, 1}, // one image per chunk
		{7, 24, 9, 11, 16, 1, 16 * 40 * 30 * 2},
		{2, 16, 3, 3, 16, 0, 1 << 20}, // a single 1×1 output
		{2, 16, 2, 2, 16, 1, 1 << 20},
	}
	for _, c := range cases {
		winoBudget = c.budget
		name := fmt.Sprintf("n%d c%d %dx%d o%d p%d budget %d", c.n, c.c, c.h, c.w, c.out, c.p, c.budget)
		g, err := newConvGeom(tensor.Shape{c.n, c.c, c.h, c.w}, tensor.Shape{c.out, c.c, 3, 3}, 1, c.p, 1)
		if err != nil {
			t.Fatal(err)
		}
		x, w, dy := rnd(rng, g.n*g.inSize), rnd(rng, g.fSize), rnd(rng, g.n*g.ySize)
		wantY, wantDx, wantDw := naiveConv(g, x, w, dy)
		y := make([]float32, len(wantY))
		dx := make([]float32, len(wantDx))
		dw := make([]float32, len(wantDw))
		for i := range dw {
			dw[i] = float32(math.NaN()) // overwritten
		}
		g.winoForward(x, w, y)
		g.winoGradInput(w, dy, dx)
		g.winoGradFilter(x, dy, dw)
		closeTo(t, name+" y", y, wantY)
		closeTo(t, name+" dx", dx, wantDx)
		closeTo(t, name+" dw", dw, wantDw)

		iy := make([]float32, len(wantY))
		idx := make([]float32, len(wantDx))
		idw := make([]float32, len(wantDw))
		g.im2colForward(x, w, iy)
		g.im2colGradInput(w, dy, idx)
		g.im2colGradFilter(x, dy, idw)
		closeTo(t, name+" y vs im2col", y, f64(iy))
		closeTo(t, name+" dx vs im2col", dx, f64(idx))
		closeTo(t, name+" dw vs im2col", dw, f64(idw))
	}
}

// Shapes the Winograd path must leave to im2col.
func TestWinogradOnlyFor3x3Stride1(t *testing.T) {
	for _, c := range []struct {
		c, out, k, s, d int
		want            bool
	}{
		{64, 64, 3, 1, 1, true},
		{512, 256, 3, 1, 1, true},
		{3, 64, 3, 1, 1, false},    // the RGB stem
		{32, 32, 3, 1, 1, false},   // too few channels to pay
		{128, 32, 3, 1, 1, false},  // too few filters
		{128, 128, 3, 2, 1, false}, // stride 2
		{128, 128, 3, 1, 2, false}, // dilation 2
		{128, 128, 1, 1, 1, false},
		{128, 128, 5, 1, 1, false},
	} {
		g, err := newConvGeom(tensor.Shape{2, c.c, 12, 12}, tensor.Shape{c.out, c.c, c.k, c.k}, c.s, 1, c.d)
		if err != nil {
			t.Fatal(err)
		}
		if g.winograd() != c.want {
			t.Errorf("c%d o%d k%d s%d d%d: winograd %v, want %v", c.c, c.out, c.k, c.s, c.d, g.winograd(), c.want)
		}
	}
}

// The layer on the Winograd path, in a graph: gradients of input, filters
// and bias against finite differences (an odd size, so partial tiles and
// padding are both crossed).
func TestWinogradLayerGradients(t *testing.T) {
	conv, err := NewConv2d("c", winoMinChannels, winoMinChannels, 3, ConvOptions{Stride: 1, Padding: 1, Dilation: 1, Groups: 1}, seeded())
	if err != nil {
		t.Fatal(err)
	}
	g, err := newConvGeom(tensor.Shape{2, winoMinChannels, 3, 3}, tensor.Shape{winoMinChannels, winoMinChannels, 3, 3}, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !g.winograd() {
		t.Fatal("the layer under test is not on the Winograd path")
	}
	checkGradients(t, conv, tensor.Shape{2, winoMinChannels, 3, 3}, gradcheck.Options{MaxPerInput: 40})
}

// Output and gradients of the Winograd path against gorgonia's own Conv2d,
// padding 0 and 1, even and odd sizes, batch 1.
func TestWinogradMatchesGorgonia(t *testing.T) {
	for _, c := range []struct{ n, h, w, p int }{{1, 4, 4, 1}, {2, 5, 7, 1}, {3, 6, 5, 0}} {
		convAgainstGorgonia(t, tensor.Shape{c.n, winoMinChannels, c.h, c.w}, tensor.Shape{winoMinChannels, winoMinChannels, 3, 3}, 1, c.p, 1, 0.1)
	}
}
