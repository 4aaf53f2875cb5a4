package nn

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConv computes y, dx and dw of a dense convolution by the definition,
// in float64, for a given upstream gradient dy.
func naiveConv(g convGeom, x, w, dy []float32) (y, dx, dw []float64) {
	y = make([]float64, g.n*g.ySize)
	dx = make([]float64, g.n*g.inSize)
	dw = make([]float64, g.fSize)
	for n := 0; n < g.n; n++ {
		for o := 0; o < g.out; o++ {
			for i := 0; i < g.ho; i++ {
				for j := 0; j < g.wo; j++ {
					yi := ((n*g.out+o)*g.ho+i)*g.wo + j
					for c := 0; c < g.c; c++ {
						for a := 0; a < g.k; a++ {
							for b := 0; b < g.k; b++ {
								r, s := i*g.s-g.p+a*g.d, j*g.s-g.p+b*g.d
								if r < 0 || r >= g.h || s < 0 || s >= g.w {
									continue
								}
								xi := ((n*g.c+c)*g.h+r)*g.w + s
								wi := ((o*g.c+c)*g.k+a)*g.k + b
								y[yi] += float64(w[wi]) * float64(x[xi])
								dx[xi] += float64(w[wi]) * float64(dy[yi])
								dw[wi] += float64(x[xi]) * float64(dy[yi])
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// The conv kernels (chunked, unfolded in parallel, on whichever GEMM path
// this process chose) agree with the definition at sizes large enough to
// reach OpenBLAS and to need several chunks, for every stride/padding/
// dilation shape the layers use, including the 1×1 fast path.
func TestConvKernelsMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	cases := []struct {
		name          string
		n, c, h, out  int
		k, s, p, d    int
		wantManyChunk bool
	}{
		{"3x3 s1 p1", 20, 16, 32, 8, 3, 1, 1, 1, true},
		{"3x3 s2 p1", 6, 8, 15, 12, 3, 2, 1, 1, false},
		{"1x1 s1", 5, 32, 9, 24, 1, 1, 0, 1, false},
		{"1x1 s2", 4, 16, 10, 8, 1, 2, 0, 1, false},
		{"5x5 s1 p2 d2", 3, 4, 12, 5, 5, 1, 2, 2, false},
		{"7x7 s2 p3", 3, 3, 23, 16, 7, 2, 3, 1, false},
		{"3x3 s1 p0", 64, 64, 4, 64, 3, 1, 0, 1, false},
	}
	for _, c := range cases {
		g, err := newConvGeom(tensor.Shape{c.n, c.c, c.h, c.h}, tensor.Shape{c.out, c.c, c.k, c.k}, c.s, c.p, c.d)
		if err != nil {
			t.Fatal(err)
		}
		if c.wantManyChunk && g.chunk() >= g.n {
			t.Fatalf("%s: chunk %d covers all %d images; the test wants several chunks", c.name, g.chunk(), g.n)
		}
		x, w, dy := rnd(rng, g.n*g.inSize), rnd(rng, g.fSize), rnd(rng, g.n*g.ySize)
		wantY, wantDx, wantDw := naiveConv(g, x, w, dy)
		y := make([]float32, len(wantY))
		dx := make([]float32, len(wantDx))
		dw := make([]float32, len(wantDw))
		for i := range dw {
			dw[i] = float32(math.NaN()) // gradFilter overwrites
		}
		g.forward(x, w, y)
		g.gradInput(w, dy, dx)
		g.gradFilter(x, dy, dw)
		closeTo(t, c.name+" y", y, wantY)
		closeTo(t, c.name+" dx", dx, wantDx)
		closeTo(t, c.name+" dw", dw, wantDw)
	}
}

// Outputs are reused from run to run: a second run of the same machine
// gives the same value and gradients (accumulating kernels start from zero
// again), and a result read through gorgonia.Read is not overwritten.
func TestConvReuseAcrossRuns(t *testing.T) {
	g := G.NewGraph()
	xs := tensor.Shape{6, 8, 12, 12}
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xs...), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(xs...), tensor.WithBacking(rnd(rand.New(rand.NewSource(3)), xs.TotalSize())))))
	conv, err := NewConv2d("c", 8, 16, 3, ConvOptions{Stride: 1, Dilation: 1, Groups: 1, Padding: 1, NoBias: true}, rand.New(rand.NewSource(4)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := conv.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	var read G.Value
	G.Read(y, &read)
	sq, _ := G.Square(y)
	cost, _ := G.Sum(sq)
	grads, err := G.Grad(cost, x, conv.Weight.Node(g))
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	var first [][]float32
	for run := 0; run < 3; run++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = [][]float32{copyOf(read), copyOf(grads[0].Value()), copyOf(grads[1].Value())}
			read = nil // the next run reads into a fresh value
			continue
		}
		for i, v := range []G.Value{read, grads[0].Value(), grads[1].Value()} {
			got := v.Data().([]float32)
			for j := range got {
				if got[j] != first[i][j] {
					t.Fatalf("run %d, value %d [%d]: %g, first run %g", run, i, j, got[j], first[i][j])
				}
			}
		}
		if &read.Data().([]float32)[0] == &first[0][0] {
			t.Fatal("Read returned the op's own memory")
		}
	}
}

func rnd(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func copyOf(v G.Value) []float32 { return append([]float32(nil), v.Data().([]float32)...) }

func closeTo(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var scale float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= 1e-4*(1+scale)) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}
