package nn

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/ambient"
)

// An interrupted notebook cell stops a running forward pass at the next
// custom op instead of finishing a long compiled computation.
func TestInterruptedCellStopsForwardPass(t *testing.T) {
	conv, err := NewConv2d("conv", 3, 4, 3, ConvOptions{Stride: 1, Dilation: 1, Groups: 1, Padding: 1}, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 8, 8), G.WithInit(G.GlorotU(1)))
	if _, err := conv.Forward(x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()

	ctx, cancel := context.WithCancel(context.Background())
	restore := ambient.Set(ctx)
	defer restore()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("before the interrupt: %v", err)
	}
	vm.Reset()
	cancel()
	// gorgonia wraps op errors without %w, so match the message.
	if err := vm.RunAll(); err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("after the interrupt: err = %v, want context canceled", err)
	}
}
