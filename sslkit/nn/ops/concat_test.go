package ops

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/graphtest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Concat's gradient at the sizes where gorgonia's own is wrong: pieces of
// equal length whose offsets differ by a multiple of 256 (two 256-row
// views, as NT-Xent joins them at batch 256; three 128-row pieces), plus
// an inner axis and pieces of different lengths.
func TestConcatFiniteDifferences(t *testing.T) {
	cases := []struct {
		name   string
		axis   int
		shapes [][]int
	}{
		{"2×256 rows", 0, [][]int{{256, 2}, {256, 2}}},
		{"3×128 rows", 0, [][]int{{128, 2}, {128, 2}, {128, 2}}},
		{"axis 1", 1, [][]int{{2, 3, 2}, {2, 1, 2}, {2, 2, 2}}},
		{"axis 2 of 3", 2, [][]int{{2, 3, 1}, {2, 3, 4}}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				g := G.NewGraph()
				xs := make([]*G.Node, len(c.shapes))
				for i, s := range c.shapes {
					xs[i] = input(g, dt, string(rune('a'+i)), int64(i+1), 1, s...)
				}
				out, err := Concat(c.axis, xs...)
				if err != nil {
					t.Fatal(err)
				}
				checkFD(t, out, xs...)
			})
		}
	}
}

// Concat's values equal gorgonia's (whose forward pass is right).
func TestConcatMatchesGorgoniaForward(t *testing.T) {
	g := G.NewGraph()
	a := input(g, tensor.Float64, "a", 1, 1, 2, 3, 2)
	b := input(g, tensor.Float64, "b", 2, 1, 2, 1, 2)
	ours := G.Must(Concat(1, a, b))
	theirs := G.Must(G.Concat(1, a, b))
	if !ours.Shape().Eq(theirs.Shape()) {
		t.Fatalf("shape %v, gorgonia %v", ours.Shape(), theirs.Shape())
	}
	graphtest.Run(t, g)
	got, want := graphtest.Float64s(t, ours.Value()), graphtest.Float64s(t, theirs.Value())
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: %v, gorgonia %v", i, got[i], want[i])
		}
	}
}

// Two slices of one node 256 rows apart stay two nodes with their own
// values and gradients (gorgonia.Slice merges them into one).
func TestSliceFiniteDifferencesAndDistinctNodes(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		x := input(g, dt, "x", 3, 1, 512, 2)
		lo, err := Slice(x, 0, 0, 256)
		if err != nil {
			t.Fatal(err)
		}
		hi, err := Slice(x, 0, 256, 512)
		if err != nil {
			t.Fatal(err)
		}
		if lo == hi {
			t.Fatal("rows 0:256 and 256:512 are one node")
		}
		both := G.Must(Concat(1, lo, G.Must(G.HadamardProd(hi, hi))))
		checkFD(t, both, x)
		graphtest.Run(t, g)
		xs, his := graphtest.Float64s(t, x.Value()), graphtest.Float64s(t, hi.Value())
		for i, v := range his {
			if v != xs[512+i] {
				t.Fatalf("%v: hi[%d] = %v, want x[%d] = %v", dt, i, v, 512+i, xs[512+i])
			}
		}
	}
	g := G.NewGraph()
	x := input(g, tensor.Float64, "x", 4, 1, 2, 5, 3)
	checkFD(t, G.Must(Slice(x, 1, 1, 4)), x)
}

func TestConcatSliceErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, tensor.Float64, "a", 1, 1, 2, 3)
	b := input(g, tensor.Float64, "b", 2, 1, 3, 3)
	c := input(g, tensor.Float64, "c", 3, 1, 2, 3, 1)
	for name, f := range map[string]func() (*G.Node, error){
		"no inputs":          func() (*G.Node, error) { return Concat(0) },
		"nil input":          func() (*G.Node, error) { return Concat(0, a, nil) },
		"axis out of range":  func() (*G.Node, error) { return Concat(2, a, a) },
		"other axis differs": func() (*G.Node, error) { return Concat(1, a, b) },
		"ranks differ":       func() (*G.Node, error) { return Concat(0, a, c) },
		"slice nil":          func() (*G.Node, error) { return Slice(nil, 0, 0, 1) },
		"slice axis":         func() (*G.Node, error) { return Slice(a, 2, 0, 1) },
		"slice past end":     func() (*G.Node, error) { return Slice(a, 0, 1, 3) },
		"slice empty":        func() (*G.Node, error) { return Slice(a, 1, 2, 2) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
