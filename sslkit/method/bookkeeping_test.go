package method

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func snapshot(ps []*nn.Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.Data()...)
	}
	return out
}

// nudge stands in for an optimizer step: it moves every parameter.
func nudge(ps []*nn.Param) {
	for i, p := range ps {
		for j := range p.Data() {
			p.Data()[j] += float32(0.01 * float64(i+j%7+1))
		}
	}
}

func checkEMA(t *testing.T, teacher, student []*nn.Param, before [][]float32, m float64) {
	t.Helper()
	if len(teacher) != len(student) {
		t.Fatalf("%d teacher tensors, %d student", len(teacher), len(student))
	}
	for i, p := range teacher {
		for j, v := range p.Data() {
			want := m*float64(before[i][j]) + (1-m)*float64(student[i].Data()[j])
			if math.Abs(float64(v)-want) > 1e-6 {
				t.Fatalf("%s[%d] = %v, want m·t + (1−m)·s = %v", p.Name, j, v, want)
			}
		}
	}
}

// After a step MoCo's key encoder follows the query encoder with m and
// the step's normalised keys replace the oldest queue rows.
func TestMoCoQueueAndKeyEncoder(t *testing.T) {
	o := DefaultMoCoOptions()
	o.ProjectorOut, o.QueueSize, o.Momentum = 8, 10, 0.9
	m, err := NewMoCo(tinyCNN(t, 1), o)
	must(t, err)
	const n = 6
	g := G.NewGraph()
	st, err := m.BuildLoss(g, inputs(g, 2, n))
	must(t, err)
	graphtest.Run(t, g)
	queue := append([]float32(nil), m.Queue().Keys.Data()...)
	keys := append([]float32(nil), st.Value("keys").Data().([]float32)...)
	nudge(m.Params())
	before := snapshot(m.Key().Params())
	must(t, m.AfterStep(st, Position{Step: 0, Steps: 10}))
	checkEMA(t, m.Key().Params(), m.Encoder().Params(), before, 0.9)

	d := 8
	normaliseRows(keys, d)
	got := m.Queue().Keys.Data()
	for i := 0; i < n*d; i++ {
		if math.Abs(float64(got[i]-keys[i])) > 1e-6 {
			t.Fatalf("queue row %d is not the step's key", i/d)
		}
	}
	for i := n * d; i < len(got); i++ {
		if got[i] != queue[i] {
			t.Fatal("a row past the enqueued keys changed")
		}
	}
	if p := m.Queue().Ptr.Data()[0]; p != n {
		t.Errorf("queue pointer %v, want %d", p, n)
	}
	// The next enqueue wraps around the 10-row ring.
	must(t, m.AfterStep(st, Position{Step: 1, Steps: 10}))
	if p := m.Queue().Ptr.Data()[0]; p != 2 {
		t.Errorf("queue pointer after wrapping %v, want 2", p)
	}
	if math.Abs(float64(got[0]-keys[4*d])) > 1e-6 {
		t.Error("wrapped keys did not overwrite the oldest rows")
	}
}

// BYOL's target moves by the EMA with the cosine momentum of the step:
// base 0.996 at step 5 of 10 gives 1 − 0.004·(cos(π/2) + 1)/2 = 0.998.
func TestBYOLTargetEMA(t *testing.T) {
	o := DefaultBYOLOptions()
	o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 8, 16
	m, err := NewBYOL(tinyCNN(t, 1), o)
	must(t, err)
	if got := CosineMomentum(0.996, 5, 10); math.Abs(got-0.998) > 1e-12 {
		t.Fatalf("CosineMomentum(0.996, 5, 10) = %v", got)
	}
	nudge(m.Params())
	before := snapshot(m.Target().Params())
	must(t, m.AfterStep(nil, Position{Step: 5, Steps: 10}))
	checkEMA(t, m.Target().Params(), m.Encoder().Params(), before, 0.998)
	for _, p := range m.Target().Params() {
		if !strings.HasPrefix(p.Name, "target.") {
			t.Fatalf("target tensor %q lacks the prefix", p.Name)
		}
	}
	// The target is not trainable.
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name, "target.") {
			t.Fatalf("target tensor %q is trainable", p.Name)
		}
	}
}

// DINO's centre becomes m·c + (1−m)·mean of the teacher's outputs on the
// global views; the teacher temperature follows its warm-up per epoch.
func TestDINOCentreAndTemperature(t *testing.T) {
	o := DefaultDINOOptions()
	o.Head = head.DINOConfig{Out: 5, Hidden: 8, Bottleneck: 4, Layers: 2}
	o.WarmupTeacherTemp, o.Loss.TeacherTemp, o.WarmupEpochs = 0.04, 0.07, 3
	m, err := NewDINO(tinyCNN(t, 1), o)
	must(t, err)
	if got := m.Loss().Options().TeacherTemp; got != 0.04 {
		t.Errorf("initial teacher temperature %v, want the warm-up start 0.04", got)
	}
	must(t, m.BeforeStep(Position{Epoch: 1}))
	if got := m.Loss().Options().TeacherTemp; math.Abs(got-0.055) > 1e-12 {
		t.Errorf("epoch 1 teacher temperature %v, want 0.055", got)
	}
	must(t, m.BeforeStep(Position{Epoch: 5}))
	if got := m.Loss().Options().TeacherTemp; got != 0.07 {
		t.Errorf("after warm-up %v, want 0.07", got)
	}

	const n = 6
	g := G.NewGraph()
	st, err := m.BuildLoss(g, inputs(g, 4, n))
	must(t, err)
	graphtest.Run(t, g)
	old := m.Loss().Centre()
	mean := make([]float64, 5)
	for i := 0; i < 2; i++ {
		for j, v := range st.Value(nameOf("teacher", i)).Data().([]float32) {
			mean[j%5] += float64(v) / (2 * n)
		}
	}
	nudge(m.Params())
	before := snapshot(m.Teacher().Params())
	must(t, m.AfterStep(st, Position{Step: 0, Steps: 4}))
	for j, c := range m.Loss().Centre() {
		want := 0.9*old[j] + 0.1*mean[j]
		if math.Abs(c-want) > 1e-6 {
			t.Errorf("centre[%d] = %v, want %v", j, c, want)
		}
	}
	checkEMA(t, m.Teacher().Params(), m.Encoder().Params(), before, 0.996)
	// The checkpointed "center" is the live centre.
	var centre *nn.Param
	for _, p := range m.Tensors() {
		if p.Name == "center" {
			centre = p
		}
	}
	if centre == nil || float64(centre.Data()[0]) != float64(float32(m.Loss().Centre()[0])) {
		t.Fatal("Tensors does not hold the live centre")
	}
	centre.Data()[1] = 42
	if m.Loss().Centre()[1] != 42 {
		t.Error("writing the checkpointed centre does not reach the loss")
	}
}

// Clone copies every tensor under a prefix, shares no memory and computes
// the same function.
func TestClone(t *testing.T) {
	for _, mod := range []nn.Module{tinyCNN(t, 3), tinyViT(t)} {
		c, err := Clone(mod, "copy.")
		must(t, err)
		a := append(mod.Params(), nn.Buffers(mod)...)
		b := append(c.Params(), nn.Buffers(c)...)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%d tensors copied of %d", len(b), len(a))
		}
		for i := range a {
			if b[i].Name != "copy."+a[i].Name {
				t.Fatalf("copy of %q is named %q", a[i].Name, b[i].Name)
			}
			if &a[i].Data()[0] == &b[i].Data()[0] {
				t.Fatalf("%s shares memory with its copy", a[i].Name)
			}
			for j := range a[i].Data() {
				if a[i].Data()[j] != b[i].Data()[j] {
					t.Fatalf("%s differs from its copy", a[i].Name)
				}
			}
		}
		g := G.NewGraph()
		x := inputs(g, 1, 3)[0]
		ya, err := mod.Forward(x)
		must(t, err)
		yb, err := c.Forward(x)
		must(t, err)
		var va, vb G.Value
		G.Read(ya, &va)
		G.Read(yb, &vb)
		graphtest.Run(t, g)
		da, db := va.Data().([]float32), vb.Data().([]float32)
		for i := range da {
			if da[i] != db[i] {
				t.Fatalf("%T: copy computes %v, original %v", mod, db[i], da[i])
			}
		}
		a[0].Data()[0] += 1
		if b[0].Data()[0] == a[0].Data()[0] {
			t.Fatal("changing the original changed the copy")
		}
	}
	if _, err := Clone(tinyCNN(t, 3), ""); err == nil {
		t.Error("an empty prefix was accepted")
	}
}

// Barlow Twins' cross-correlation of the last step reproduces its loss.
func TestBarlowTwinsCrossCorrelation(t *testing.T) {
	o := DefaultBarlowTwinsOptions()
	o.ProjectorHidden, o.ProjectorOut = 16, 6
	m, err := NewBarlowTwins(tinyCNN(t, 1), o)
	must(t, err)
	if c, _ := m.CrossCorrelation(); c != nil {
		t.Error("a cross-correlation before any step")
	}
	g := G.NewGraph()
	st, err := m.BuildLoss(g, inputs(g, 2, 8))
	must(t, err)
	graphtest.Run(t, g)
	must(t, m.AfterStep(st, Position{}))
	c, d := m.CrossCorrelation()
	if d != 6 || len(c) != 36 {
		t.Fatalf("C is %d values of dimension %d", len(c), d)
	}
	l := 0.0
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if i == j {
				l += (c[i*d+j] - 1) * (c[i*d+j] - 1)
			} else {
				l += 0.0051 * c[i*d+j] * c[i*d+j]
			}
		}
	}
	if got := st.LossValue(); math.Abs(l-got) > 1e-4*got {
		t.Errorf("loss from C %v, method's loss %v", l, got)
	}
}

// A frozen teacher is copied, kept out of the trainable parameters and run
// in evaluation mode; method tensors never share a name.
func TestFrozenTeacherAndNames(t *testing.T) {
	o := DefaultSimCLROptions()
	o.ProjectorOut = 8
	trained, err := NewSimCLR(tinyCNN(t, 1), o)
	must(t, err)
	do := DefaultDisCoOptions()
	do.Student.ProjectorHidden, do.Student.ProjectorOut, do.Student.QueueSize = 16, 8, 16
	// The student is built by the same constructor as the teacher: the
	// prefixes keep their tensors apart.
	m, err := NewDisCo(tinyCNN(t, 1), trained.Encoder(), do)
	must(t, err)
	names := map[string]bool{}
	for _, p := range m.Tensors() {
		if names[p.Name] {
			t.Fatalf("two tensors named %q", p.Name)
		}
		names[p.Name] = true
	}
	for _, want := range []string{"conv1.weight", "key.conv1.weight", "teacher.conv1.weight", "queue", "queue_ptr", "teacher.bn1.running_mean"} {
		if !names[want] {
			t.Errorf("no tensor %q", want)
		}
	}
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name, "teacher.") || strings.HasPrefix(p.Name, "key.") {
			t.Errorf("%s is trainable", p.Name)
		}
	}
	if &m.Teacher().Params()[0].Data()[0] == &trained.Encoder().Params()[0].Data()[0] {
		t.Error("the teacher shares memory with the trained method")
	}
	if _, err := NewDisCo(tinyCNN(t, 1), nil, do); err == nil {
		t.Error("a nil teacher was accepted")
	}
	if _, err := NewSimCLR(nil, o); err == nil {
		t.Error("a nil backbone was accepted")
	}
	bad := DefaultSimCLROptions()
	bad.ProjectorOut = 0
	if _, err := NewSimCLR(tinyCNN(t, 1), bad); err == nil {
		t.Error("a 0-d projector was accepted")
	}
}

// DINO's multi-crop: two 8×8 global views for both networks and two 4×4
// local views for the student only, through a backbone that pools
// globally; the loss is loss.DINO's on the same outputs.
func TestDINOMultiCrop(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	co := nn.DefaultConvOptions()
	co.Padding = 1
	conv, err := nn.NewConv2d("conv", 1, 4, 3, co, rng)
	must(t, err)
	net := &backbone.Net{Arch: "pooled", OutDim: 4, InChannels: 1, Layers: nn.NewSequential(conv, nn.ReLU{}, nn.GlobalAvgPool{})}
	o := DefaultDINOOptions()
	o.Head = head.DefaultDINOConfig(0, 6)
	o.Head.Hidden, o.Head.Bottleneck = 8, 4
	m, err := NewDINO(net, o)
	must(t, err)
	views := func(g *G.ExprGraph) []*G.Node {
		vs := inputs(g, 2, 5)
		for i := 0; i < 2; i++ {
			d := viewData(10+i, 5).Data().([]float32)[:5*16]
			vs = append(vs, G.NewTensor(g, tensor.Float32, 4, G.WithShape(5, 1, 4, 4), G.WithName(nameOf("local", i)),
				G.WithValue(tensor.New(tensor.WithShape(5, 1, 4, 4), tensor.WithBacking(append([]float32(nil), d...))))))
		}
		return vs
	}
	g := G.NewGraph()
	st, err := m.BuildLoss(g, views(g))
	must(t, err)
	graphtest.Run(t, g)
	g2 := G.NewGraph()
	v2 := views(g2)
	s := fwd(t, m.Encoder(), v2...)
	tt := fwd(t, m.Teacher(), v2[:2]...)
	ref, err := m.Loss().Loss(s, tt)
	must(t, err)
	var want G.Value
	G.Read(ref, &want)
	graphtest.Run(t, g2)
	if got := st.LossValue(); math.Abs(got-scalarOf(want)) > 1e-6 || math.IsNaN(got) {
		t.Errorf("multi-crop loss %v, loss.DINO %v", got, scalarOf(want))
	}
	// The teacher sees only the global views: two kept outputs.
	if st.Value("teacher1") == nil || st.Value("teacher2") != nil {
		t.Error("the teacher did not see exactly the two global views")
	}
}

// Without the region term EsViT is DINO's view loss on the multi-stage ViT.
func TestEsViTWithoutRegion(t *testing.T) {
	o := DefaultEsViTOptions()
	o.Head = head.DefaultDINOConfig(0, 10)
	o.Head.Hidden, o.Head.Bottleneck, o.Head.Layers = 16, 6, 2
	o.RegionHead = o.Head
	o.NoRegion = true
	m, err := NewEsViT(tinyViT(t), o)
	must(t, err)
	g := G.NewGraph()
	st, err := m.BuildLoss(g, inputs(g, 2, 4))
	must(t, err)
	graphtest.Run(t, g)
	g2 := G.NewGraph()
	v := inputs(g2, 2, 4)
	s := fwd(t, m.Encoder(), v...)
	tv, _, err := m.teacher.views(v)
	must(t, err)
	ref, err := m.Loss().View.Loss(s, tv)
	must(t, err)
	var want G.Value
	G.Read(ref, &want)
	graphtest.Run(t, g2)
	if got := st.LossValue(); math.Abs(got-scalarOf(want)) > 1e-6 {
		t.Errorf("EsViT without region %v, DINO view loss %v", got, scalarOf(want))
	}
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name, "region_head.") {
			t.Fatalf("%s is trainable without the region term", p.Name)
		}
	}
	must(t, m.AfterStep(st, Position{Step: 0, Steps: 2}))
}
