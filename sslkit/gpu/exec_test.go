package gpu

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gossl/gossl/sslkit/loss"
)

func randTensor(rng *rand.Rand, scale float64, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(rng.NormFloat64() * scale)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// must returns a checker for gorgonia's (node, error) results.
func must(t *testing.T) func(*G.Node, error) *G.Node {
	return func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// model is a graph with its loss, parameters and their gradients.
type model struct {
	g      *G.ExprGraph
	x      *G.Node
	xData  *tensor.Dense
	loss   *G.Node
	params G.Nodes
	grads  G.Nodes
}

// ntxentPrimitives is SimCLR's NT-Xent written with gorgonia's own ops, so
// the executor runs it without host fallback: z holds 2N embeddings, the
// positive of row i is row (i+N) mod 2N.
func ntxentPrimitives(t *testing.T, z *G.Node, tau float64) *G.Node {
	ok := must(t)
	g := z.Graph()
	n2, _ := z.Shape()[0], z.Shape()[1]
	sq := ok(G.Square(z))
	norm := ok(G.Sqrt(ok(G.Sum(sq, 1))))
	zn := ok(G.BroadcastHadamardDiv(z, norm, nil, []byte{1}))
	zs := ok(G.HadamardProd(zn, G.NewConstant(float32(1/math.Sqrt(tau)))))
	sim := ok(G.Mul(zs, ok(G.Transpose(zs))))
	off := make([]float32, n2*n2)
	pos := make([]float32, n2*n2)
	for i := 0; i < n2; i++ {
		for j := 0; j < n2; j++ {
			if i != j {
				off[i*n2+j] = 1
			}
		}
		pos[i*n2+(i+n2/2)%n2] = 1
	}
	offMask := G.NewConstant(tensor.New(tensor.WithShape(n2, n2), tensor.WithBacking(off)), G.WithName("offdiag"))
	posMask := G.NewConstant(tensor.New(tensor.WithShape(n2, n2), tensor.WithBacking(pos)), G.WithName("positives"))
	_ = g
	denom := ok(G.Sum(ok(G.HadamardProd(ok(G.Exp(sim)), offMask)), 1))
	positive := ok(G.Sum(ok(G.HadamardProd(sim, posMask)), 1))
	return ok(G.Mean(ok(G.Sub(ok(G.Log(denom)), positive))))
}

func mlp(t *testing.T, seed int64, batch, in, hidden, out int) (*model, *G.Node) {
	ok := must(t)
	rng := rand.New(rand.NewSource(seed))
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, in), G.WithName("x"))
	w1 := G.NewMatrix(g, tensor.Float32, G.WithShape(in, hidden), G.WithName("w1"), G.WithValue(randTensor(rng, 0.3, in, hidden)))
	b1 := G.NewVector(g, tensor.Float32, G.WithShape(hidden), G.WithName("b1"), G.WithValue(randTensor(rng, 0.1, hidden)))
	w2 := G.NewMatrix(g, tensor.Float32, G.WithShape(hidden, out), G.WithName("w2"), G.WithValue(randTensor(rng, 0.3, hidden, out)))
	h := ok(G.BroadcastAdd(ok(G.Mul(x, w1)), b1, nil, []byte{0}))
	h = ok(G.Rectify(h))
	z := ok(G.Mul(h, w2))
	return &model{g: g, x: x, xData: randTensor(rng, 1, batch, in), params: G.Nodes{w1, b1, w2}}, z
}

func withGrads(t *testing.T, m *model) *model {
	t.Helper()
	grads, err := G.Grad(m.loss, m.params...)
	if err != nil {
		t.Fatal(err)
	}
	m.grads = grads
	return m
}

// reference runs the graph on gorgonia's tape machine.
func reference(t *testing.T, m *model) (float32, [][]float32) {
	t.Helper()
	if err := G.Let(m.x, m.xData); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(m.g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	l, err := floats(m.loss.Value())
	if err != nil {
		t.Fatal(err)
	}
	var gs [][]float32
	for _, gn := range m.grads {
		d, err := floats(gn.Value())
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, append([]float32(nil), d...))
	}
	return l[0], gs
}

func execute(t *testing.T, m *model, fallback bool) (*Executor, float32, [][]float32) {
	t.Helper()
	e, err := NewExecutor(NewHost(), m.g, ExecOptions{Inputs: G.Nodes{m.x}, Params: m.params, Grads: m.grads,
		Outputs: G.Nodes{m.loss}, HostFallback: fallback})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetInput(m.x, m.xData.Data().([]float32)); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := e.Scalar(m.loss)
	if err != nil {
		t.Fatal(err)
	}
	var gs [][]float32
	for _, gn := range m.grads {
		d, err := e.Value(gn)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, d)
	}
	return e, l, gs
}

func close32(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func compare(t *testing.T, m *model, refLoss, gotLoss float32, ref, got [][]float32, tol float64) {
	t.Helper()
	if !close32(float64(refLoss), float64(gotLoss), tol) {
		t.Errorf("loss %v, gorgonia %v", gotLoss, refLoss)
	}
	for i := range ref {
		if len(ref[i]) != len(got[i]) {
			t.Fatalf("gradient of %s: %d values, gorgonia %d", m.params[i].Name(), len(got[i]), len(ref[i]))
		}
		for j := range ref[i] {
			if !close32(float64(ref[i][j]), float64(got[i][j]), tol) {
				t.Errorf("∂loss/∂%s[%d] = %v, gorgonia %v", m.params[i].Name(), j, got[i][j], ref[i][j])
				break
			}
		}
	}
}

func checkPlan(t *testing.T, e *Executor) {
	t.Helper()
	p := e.Plan()
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if p.Peak > p.Naive {
		t.Errorf("planned arena %d values, more than one buffer per value (%d)", p.Peak, p.Naive)
	}
	t.Logf("arena %d values, %d without reuse, %d steps", p.Peak, p.Naive, len(e.steps))
}

func TestMLPWithNTXentMatchesGorgonia(t *testing.T) {
	m, z := mlp(t, 1, 16, 12, 32, 8)
	m.loss = ntxentPrimitives(t, z, 0.5)
	withGrads(t, m)
	refLoss, ref := reference(t, m)
	e, gotLoss, got := execute(t, m, false)
	defer e.Close()
	compare(t, m, refLoss, gotLoss, ref, got, 1e-5)
	checkPlan(t, e)
	if p := e.Plan(); p.Peak >= p.Naive {
		t.Errorf("no buffer reused: arena %d, naive %d", p.Peak, p.Naive)
	}
	for _, s := range e.Steps() {
		if strings.HasSuffix(s, "[host]") {
			t.Errorf("step ran on the host: %s", s)
		}
	}
	// A second Run with the same buffers gives the same values.
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, _ := e.Scalar(m.loss)
	if again != gotLoss {
		t.Errorf("second run: loss %v, first %v", again, gotLoss)
	}
}

func TestSmallCNNMatchesGorgonia(t *testing.T) {
	ok := must(t)
	rng := rand.New(rand.NewSource(2))
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(4, 3, 8, 8), G.WithName("x"))
	f1 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(6, 3, 3, 3), G.WithName("f1"), G.WithValue(randTensor(rng, 0.3, 6, 3, 3, 3)))
	f2 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(8, 6, 3, 3), G.WithName("f2"), G.WithValue(randTensor(rng, 0.2, 8, 6, 3, 3)))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(8*2*2, 5), G.WithName("w"), G.WithValue(randTensor(rng, 0.2, 32, 5)))
	h := ok(G.Conv2d(x, f1, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
	h = ok(G.Rectify(h))
	h = ok(G.MaxPool2D(h, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
	h = ok(G.Conv2d(h, f2, tensor.Shape{3, 3}, []int{1, 1}, []int{2, 2}, []int{1, 1}))
	h = ok(G.Tanh(h))
	h = ok(G.Reshape(h, tensor.Shape{4, 32}))
	out := ok(G.Mul(h, w))
	target := G.NewConstant(randTensor(rng, 1, 4, 5), G.WithName("target"))
	l := ok(G.Mean(ok(G.Square(ok(G.Sub(out, target))))))
	m := withGrads(t, &model{g: g, x: x, xData: randTensor(rng, 1, 4, 3, 8, 8), loss: l, params: G.Nodes{f1, f2, w}})
	refLoss, ref := reference(t, m)
	e, gotLoss, got := execute(t, m, false)
	defer e.Close()
	compare(t, m, refLoss, gotLoss, ref, got, 1e-5)
	checkPlan(t, e)
}

// sslkit's own NTXent uses sslkit's custom ops, which have no kernels:
// strict mode names the op, host fallback runs them and agrees.
func TestCustomOpsNeedFallbackAndAgree(t *testing.T) {
	ok := must(t)
	m, z := mlp(t, 3, 8, 6, 16, 4)
	// Two views: the first and last 4 rows of the batch through the same MLP.
	z1 := ok(G.Slice(z, G.S(0, 4)))
	z2 := ok(G.Slice(z, G.S(4, 8)))
	l, err := loss.NTXent(z1, z2, loss.NTXentOptions{Temperature: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	m.loss = l
	withGrads(t, m)
	_, err = NewExecutor(NewHost(), m.g, ExecOptions{Inputs: G.Nodes{m.x}, Params: m.params, Grads: m.grads, Outputs: G.Nodes{m.loss}})
	if err == nil || !strings.Contains(err.Error(), "cannot run op") {
		t.Fatalf("strict executor accepted custom ops: %v", err)
	}
	t.Logf("strict: %v", err)
	refLoss, ref := reference(t, m)
	e, gotLoss, got := executeWith(t, m, G.Nodes{m.x})
	defer e.Close()
	compare(t, m, refLoss, gotLoss, ref, got, 1e-5)
	checkPlan(t, e)
}

func executeWith(t *testing.T, m *model, inputs G.Nodes) (*Executor, float32, [][]float32) {
	t.Helper()
	e, err := NewExecutor(NewHost(), m.g, ExecOptions{Inputs: inputs, Params: m.params, Grads: m.grads,
		Outputs: G.Nodes{m.loss}, HostFallback: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetInput(m.x, m.xData.Data().([]float32)); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := e.Scalar(m.loss)
	if err != nil {
		t.Fatal(err)
	}
	var gs [][]float32
	for _, gn := range m.grads {
		d, err := e.Value(gn)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, d)
	}
	return e, l, gs
}

// The optimizer runs on the backend with resident state: two SGD steps
// with momentum equal the same update done by hand on the host, and
// UploadParams/CopyParamsBack move the weights between graph and backend.
func TestResidentSGDMatchesHandUpdate(t *testing.T) {
	m, z := mlp(t, 9, 8, 5, 6, 4)
	m.loss = ntxentPrimitives(t, z, 0.5)
	withGrads(t, m)
	e, _, g1 := execute(t, m, false)
	defer e.Close()
	want := make([][]float32, len(m.params))
	vel := make([][]float32, len(m.params))
	for i, p := range m.params {
		w, _ := floats(p.Value())
		want[i] = append([]float32(nil), w...)
		vel[i] = make([]float32, len(w))
	}
	const lr, mom, wd = 0.1, 0.9, 0.01
	step := func(grads [][]float32) {
		for i := range want {
			for j := range want[i] {
				vel[i][j] = mom*vel[i][j] + grads[i][j] + wd*want[i][j]
				want[i][j] -= lr * vel[i][j]
			}
		}
	}
	if err := e.SGD(lr, mom, wd); err != nil {
		t.Fatal(err)
	}
	step(g1)
	if err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var g2 [][]float32
	for _, gn := range m.grads {
		d, err := e.Value(gn)
		if err != nil {
			t.Fatal(err)
		}
		g2 = append(g2, d)
	}
	if err := e.SGD(lr, mom, wd); err != nil {
		t.Fatal(err)
	}
	step(g2)
	for i, p := range m.params {
		got, err := e.Value(p)
		if err != nil {
			t.Fatal(err)
		}
		for j := range got {
			if !close32(float64(got[j]), float64(want[i][j]), 1e-6) {
				t.Fatalf("%s[%d] = %v after two steps, want %v", p.Name(), j, got[j], want[i][j])
			}
		}
	}
	if err := e.CopyParamsBack(); err != nil {
		t.Fatal(err)
	}
	w0, _ := floats(m.params[0].Value())
	if !close32(float64(w0[0]), float64(want[0][0]), 1e-6) {
		t.Fatalf("CopyParamsBack: %v, want %v", w0[0], want[0][0])
	}
	w0[0] = 42
	if err := e.UploadParams(); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Value(m.params[0]); got[0] != 42 {
		t.Fatalf("UploadParams: %v, want 42", got[0])
	}
}
