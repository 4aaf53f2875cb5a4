package nn

import (
	"testing"

	"github.com/gossl/gossl/sslkit/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchConvStep times one forward+backward pass of x ⋆ w built by conv.
func benchConvStep(b *testing.B, xs, ws tensor.Shape, conv func(x, w *G.Node) (*G.Node, error)) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xs...), G.WithName("x"), G.WithValue(gradcheck.RandomTensor(tensor.Float32, xs, 1, 1)))
	w := G.NewTensor(g, tensor.Float32, 4, G.WithShape(ws...), G.WithName("w"), G.WithValue(gradcheck.RandomTensor(tensor.Float32, ws, 2, 1)))
	y, err := conv(x, w)
	if err != nil {
		b.Fatal(err)
	}
	cost := G.Must(G.Sum(G.Must(G.Reshape(y, tensor.Shape{y.Shape().TotalSize()}))))
	if _, err := G.Grad(cost, x, w); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

// ResNeXt-50 32×4d stage-1 width (128 channels, 32 groups of 4) at a CIFAR
// feature-map size: the grouped op against the dense op's per-group
// composition (the split and concatenation not even counted).
func BenchmarkGroupConvResNeXt(b *testing.B) {
	xs, ws := tensor.Shape{16, 128, 16, 16}, tensor.Shape{128, 4, 3, 3}
	b.Run("grouped-op", func(b *testing.B) {
		benchConvStep(b, xs, ws, func(x, w *G.Node) (*G.Node, error) { return groupConv(x, w, 32, 1, 1, 1) })
	})
	b.Run("dense-per-group", func(b *testing.B) {
		// 32 separate 4→4 convolutions of distinct inputs (gorgonia would
		// merge identical ones), summed.
		g := G.NewGraph()
		var cost *G.Node
		var wrt G.Nodes
		for i := 0; i < 32; i++ {
			xs, ws := tensor.Shape{16, 4, 16, 16}, tensor.Shape{4, 4, 3, 3}
			x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xs...), G.WithValue(gradcheck.RandomTensor(tensor.Float32, xs, int64(i), 1)))
			w := G.NewTensor(g, tensor.Float32, 4, G.WithShape(ws...), G.WithValue(gradcheck.RandomTensor(tensor.Float32, ws, int64(100+i), 1)))
			y, err := conv2d(x, w, 1, 1, 1)
			if err != nil {
				b.Fatal(err)
			}
			s := G.Must(G.Sum(G.Must(G.Reshape(y, tensor.Shape{y.Shape().TotalSize()}))))
			if cost == nil {
				cost = s
			} else {
				cost = G.Must(G.Add(cost, s))
			}
			wrt = append(wrt, x, w)
		}
		if _, err := G.Grad(cost, wrt...); err != nil {
			b.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := vm.RunAll(); err != nil {
				b.Fatal(err)
			}
			vm.Reset()
		}
	})
}

// BenchmarkDepthwise is an EfficientNet-sized depthwise layer (groups =
// in = out), which also runs on the grouped op.
func BenchmarkDepthwise(b *testing.B) {
	xs, ws := tensor.Shape{16, 96, 28, 28}, tensor.Shape{96, 1, 3, 3}
	benchConvStep(b, xs, ws, func(x, w *G.Node) (*G.Node, error) { return groupConv(x, w, 96, 1, 1, 1) })
}
