package loss

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The queue node is bound to the queue's storage: a graph built once sees
// the keys enqueued between runs, as MoCo's training loop needs.
func TestQueueEnqueueReachesBuiltGraph(t *testing.T) {
	const d = 3
	qu, err := NewQueue(4, d, tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	q := emb(g, tensor.Float32, "q", 2, 2, d)
	k := emb(g, tensor.Float32, "k", 3, 2, d)
	l, err := InfoNCE(q, k, qu.Node(g, "queue"), DefaultInfoNCEOptions())
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	before, _ := l.Value().Data().(float32)
	keys := tensor.New(tensor.WithShape(3, d), tensor.WithBacking([]float32{3, 0, 4, 0, 2, 0, 1, 1, 1}))
	if err := qu.Enqueue(keys); err != nil {
		t.Fatal(err)
	}
	rows := qu.Tensor().Data().([]float32)
	if !near(float64(rows[0]), 0.6) || !near(float64(rows[2]), 0.8) || !near(float64(rows[4]), 1) {
		t.Fatalf("enqueued rows not normalised in order: %v", rows[:9])
	}
	vm.Reset()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	after, _ := l.Value().Data().(float32)
	if before == after {
		t.Fatal("loss ignored the enqueued keys")
	}
	// The ring wraps: two more keys overwrite slot 3 then slot 0.
	if err := qu.Enqueue(tensor.New(tensor.WithShape(2, d), tensor.WithBacking([]float32{0, 0, 5, 0, 7, 0}))); err != nil {
		t.Fatal(err)
	}
	if rows[3*d+2] != 1 || rows[1] != 1 {
		t.Fatalf("ring buffer did not wrap: %v", rows)
	}
	if err := qu.Enqueue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 2}))); err == nil {
		t.Fatal("keys of the wrong width accepted")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestDINOCentreUpdate(t *testing.T) {
	d, err := NewDINO(2, tensor.Float64, DefaultDINOOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	b := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{5, 6}))
	if err := d.UpdateCentre(a, b); err != nil {
		t.Fatal(err)
	}
	c := d.Centre()
	// mean rows = (3, 4); c = 0.9·0 + 0.1·mean.
	if !near(c[0], 0.3) || !near(c[1], 0.4) {
		t.Fatalf("centre %v, want [0.3 0.4]", c)
	}
	if err := d.UpdateCentre(a); err != nil {
		t.Fatal(err)
	}
	if c = d.Centre(); !near(c[0], 0.9*0.3+0.1*2) {
		t.Fatalf("second update %v", c)
	}
	if err := d.UpdateCentre(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))); err == nil {
		t.Fatal("wrong width accepted")
	}
	if _, err := NewDINO(2, tensor.Float64, DINOOptions{StudentTemp: 0.1, TeacherTemp: 0.04, CentreMomentum: 1.5}); err == nil {
		t.Fatal("momentum 1.5 accepted")
	}
}

// Options left at zero pick the papers' defaults; a mis-set default would
// change the loss value.
func TestDefaultsAreThePapers(t *testing.T) {
	g := G.NewGraph()
	a := emb(g, tensor.Float64, "a", 1, 5, 4)
	b := emb(g, tensor.Float64, "b", 2, 5, 4)
	pairs := []struct {
		name     string
		def, set func() (*G.Node, error)
	}{
		{"NTXent τ=0.1", func() (*G.Node, error) { return NTXent(a, b, DefaultNTXentOptions()) },
			func() (*G.Node, error) { return NTXent(a, b, NTXentOptions{Temperature: 0.1}) }},
		{"Barlow λ=0.0051", func() (*G.Node, error) { return BarlowTwins(a, b, DefaultBarlowTwinsOptions()) },
			func() (*G.Node, error) {
				return BarlowTwins(a, b, BarlowTwinsOptions{Lambda: 0.0051, Scale: 1, Eps: 1e-5})
			}},
		{"Distill τ=0.2", func() (*G.Node, error) { return Distill(a, b, DefaultDistillOptions()) },
			func() (*G.Node, error) { return Distill(a, b, DistillOptions{Temperature: 0.2}) }},
		{"Triplet γ=2 margin=100 ranks 1..9", func() (*G.Node, error) { return Triplet(a, b, DefaultTripletOptions()) },
			func() (*G.Node, error) {
				return Triplet(a, b, TripletOptions{Variant: Truncated, Gamma: 2, Margin: 100, Lo: 1, Hi: 4})
			}},
	}
	for _, p := range pairs {
		d, err1 := p.def()
		s, err2 := p.set()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if x, y := evalScalar(t, d), evalScalar(t, s); x != y {
			t.Errorf("%s: default gives %g, explicit %g", p.name, x, y)
		}
	}
}

func TestLossesRejectBadInput(t *testing.T) {
	g := G.NewGraph()
	a := emb(g, tensor.Float32, "a", 1, 4, 3)
	b64 := emb(g, tensor.Float64, "b", 2, 4, 3)
	v := emb(g, tensor.Float32, "v", 3, 4)
	if _, err := BarlowTwins(a, b64, DefaultBarlowTwinsOptions()); err == nil {
		t.Error("mixed dtypes accepted")
	}
	if _, err := BYOL(v, v); err == nil {
		t.Error("1-D embeddings accepted")
	}
	if _, err := Triplet(a, a, TripletOptions{Variant: 7}); err == nil {
		t.Error("unknown variant accepted")
	}
	if _, err := InfoNCE(a, a, emb(g, tensor.Float32, "qq", 4, 5, 2), DefaultInfoNCEOptions()); err == nil {
		t.Error("queue of the wrong width accepted")
	}
	if _, err := DisCo(a, a, emb(g, tensor.Float32, "qu", 5, 5, 3), a, a, nil, DefaultDisCoOptions()); err == nil {
		t.Error("sk without tk accepted")
	}
	d, _ := NewDINO(3, tensor.Float32, DefaultDINOOptions())
	if _, err := d.Loss([]*G.Node{a}, []*G.Node{a}); err == nil {
		t.Error("a single view pair (v = iq only) accepted")
	}
	if _, err := NewQueue(0, 3, tensor.Float32, 1); err == nil {
		t.Error("empty queue accepted")
	}
}

// SetTeacherTemp reaches a graph that is already built.
func TestDINOTeacherTempChangesBuiltGraph(t *testing.T) {
	g := G.NewGraph()
	s := []*G.Node{emb(g, tensor.Float64, "s0", 1, 3, 4), emb(g, tensor.Float64, "s1", 2, 3, 4)}
	tt := []*G.Node{emb(g, tensor.Float64, "t0", 3, 3, 4), emb(g, tensor.Float64, "t1", 4, 3, 4)}
	d, _ := NewDINO(4, tensor.Float64, DefaultDINOOptions())
	l, err := d.Loss(s, tt)
	if err != nil {
		t.Fatal(err)
	}
	at04 := evalScalar(t, l)
	if err := d.SetTeacherTemp(0.07); err != nil {
		t.Fatal(err)
	}
	at07 := evalScalar(t, l)
	g2 := G.NewGraph()
	s2 := []*G.Node{emb(g2, tensor.Float64, "s0", 1, 3, 4), emb(g2, tensor.Float64, "s1", 2, 3, 4)}
	t2 := []*G.Node{emb(g2, tensor.Float64, "t0", 3, 3, 4), emb(g2, tensor.Float64, "t1", 4, 3, 4)}
	fresh, _ := NewDINO(4, tensor.Float64, DINOOptions{StudentTemp: 0.1, TeacherTemp: 0.07, CentreMomentum: 0.9})
	l2, _ := fresh.Loss(s2, t2)
	if want := evalScalar(t, l2); at07 != want || at04 == at07 {
		t.Fatalf("after SetTeacherTemp(0.07): %g, fresh graph %g, before %g", at07, want, at04)
	}
	if err := d.SetTeacherTemp(0); err == nil {
		t.Fatal("temperature 0 accepted")
	}
}

func TestTeacherTempAt(t *testing.T) {
	cases := []struct {
		epoch int
		want  float64
	}{{0, 0.04}, {15, 0.055}, {29, 0.07}, {30, 0.07}, {100, 0.07}}
	for _, c := range cases {
		if got := TeacherTempAt(c.epoch, 30, 0.04, 0.07); math.Abs(got-c.want) > 1e-3 {
			t.Errorf("epoch %d: %g, want %g", c.epoch, got, c.want)
		}
	}
}
