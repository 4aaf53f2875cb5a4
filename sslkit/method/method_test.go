package method

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/internal/graphtest"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// tinyCNN is conv(1→4)–BN–ReLU–maxpool–Linear(64→12) for 8×8 images.
func tinyCNN(t testing.TB, seed int64) *backbone.Net {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	co := nn.DefaultConvOptions()
	co.Padding, co.NoBias = 1, true
	conv, err := nn.NewConv2d("conv1", 1, 4, 3, co, rng)
	must(t, err)
	bn, err := nn.NewBatchNorm2d("bn1", 4, nn.DefaultBNOptions())
	must(t, err)
	pool, err := nn.NewMaxPool2d(2, nn.DefaultMaxPoolOptions(2))
	must(t, err)
	fc, err := nn.NewLinear("fc", 4*4*4, 12, true, rng)
	must(t, err)
	return &backbone.Net{Arch: "tiny-cnn", OutDim: 12, InChannels: 1,
		Layers: nn.NewSequential(conv, bn, nn.ReLU{}, pool, nn.Flatten{}, fc)}
}

// tinyBinary is S2-BNN's kind of student: RSign–binary conv–BN–RPReLU.
func tinyBinary(t testing.TB) *backbone.Net {
	t.Helper()
	rng := rand.New(rand.NewSource(4))
	sign, err := nn.NewRSign("sign", 1)
	must(t, err)
	conv, err := nn.NewBinaryConv2d("bconv", 1, 4, 3, 1, 1, rng)
	must(t, err)
	bn, err := nn.NewBatchNorm2d("bn", 4, nn.DefaultBNOptions())
	must(t, err)
	act, err := nn.NewRPReLU("act", 4)
	must(t, err)
	pool, err := nn.NewMaxPool2d(2, nn.DefaultMaxPoolOptions(2))
	must(t, err)
	fc, err := nn.NewLinear("fc", 64, 12, true, rng)
	must(t, err)
	return &backbone.Net{Arch: "tiny-binary", OutDim: 12, InChannels: 1,
		Layers: nn.NewSequential(sign, conv, bn, act, pool, nn.Flatten{}, fc)}
}

func tinyViT(t testing.TB) *backbone.ViT {
	t.Helper()
	c := backbone.DefaultViTConfig()
	c.ImageSize, c.InChannels, c.PatchSize, c.Window = 8, 1, 2, 2
	c.Dims, c.Depths, c.Heads = []int{8, 16}, []int{1, 1}, []int{2, 2}
	v, err := backbone.NewViT(c, rand.New(rand.NewSource(2)))
	must(t, err)
	return v
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// viewData is view i of a batch of n 8×8 images, fixed by i.
func viewData(i, n int) *tensor.Dense {
	rng := rand.New(rand.NewSource(int64(100 + i)))
	d := make([]float32, n*64)
	for j := range d {
		d[j] = float32(rng.Float64())
	}
	return tensor.New(tensor.WithShape(n, 1, 8, 8), tensor.WithBacking(d))
}

func inputs(g *G.ExprGraph, views, n int) []*G.Node {
	out := make([]*G.Node, views)
	for i := range out {
		out[i] = G.NewTensor(g, tensor.Float32, 4, G.WithShape(n, 1, 8, 8), G.WithName(nameOf("view", i)), G.WithValue(viewData(i, n)))
	}
	return out
}

func nameOf(p string, i int) string { return p + string(rune('0'+i)) }

func fwd(t testing.TB, m nn.Module, xs ...*G.Node) []*G.Node {
	t.Helper()
	out, err := forwardAll(m, xs)
	must(t, err)
	return out
}

// Each method's loss equals the loss function of sslkit/loss applied to
// the same networks' outputs, computed in a separate graph.
func TestLossEqualsLossFunction(t *testing.T) {
	teacherEnc := func(t testing.TB) nn.Module {
		o := DefaultSimCLROptions()
		o.ProjectorOut = 8
		m, err := NewSimCLR(tinyCNN(t, 9), o)
		must(t, err)
		return m.Encoder()
	}
	cases := []struct {
		name  string
		views int
		build func(t testing.TB) Method
		ref   func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error)
	}{
		{"SimCLR", 2, func(t testing.TB) Method {
			o := DefaultSimCLROptions()
			o.ProjectorOut = 8
			m, err := NewSimCLR(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			z := fwd(t, m.Encoder(), v...)
			return loss.NTXent(z[0], z[1], m.(*SimCLR).Options.Loss)
		}},
		{"BarlowTwins", 2, func(t testing.TB) Method {
			o := DefaultBarlowTwinsOptions()
			o.ProjectorHidden, o.ProjectorOut = 16, 16
			m, err := NewBarlowTwins(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			z := fwd(t, m.Encoder(), v...)
			return loss.BarlowTwins(z[0], z[1], m.(*BarlowTwins).Options.Loss)
		}},
		{"BYOL", 2, func(t testing.TB) Method {
			o := DefaultBYOLOptions()
			o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 8, 16
			m, err := NewBYOL(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			b := m.(*BYOL)
			p := fwd(t, b.Predictor(), fwd(t, b.Encoder(), v...)...)
			z := fwd(t, b.Target(), v...)
			return loss.BYOLSymmetric(p[0], p[1], z[0], z[1])
		}},
		{"SimSiam", 2, func(t testing.TB) Method {
			o := DefaultSimSiamOptions()
			o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 16, 4
			m, err := NewSimSiam(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			s := m.(*SimSiam)
			z := fwd(t, s.Encoder(), v...)
			p := fwd(t, s.Predictor(), z...)
			return loss.SimSiam(p[0], p[1], z[0], z[1])
		}},
		{"Triplet", 2, func(t testing.TB) Method {
			o := DefaultTripletOptions()
			o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 8, 16
			o.Loss.Hi = 4
			m, err := NewTriplet(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			b := m.(*Triplet)
			p := fwd(t, b.Predictor(), fwd(t, b.Encoder(), v...)...)
			z := fwd(t, b.Target(), v...)
			return loss.TripletSymmetric(p[0], p[1], z[0], z[1], b.Options.Loss)
		}},
		{"MoCo", 2, func(t testing.TB) Method {
			o := DefaultMoCoOptions()
			o.ProjectorOut, o.QueueSize = 8, 32
			m, err := NewMoCo(tinyCNN(t, 1), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			mo := m.(*MoCo)
			q := fwd(t, mo.Encoder(), v[0])
			k := fwd(t, mo.Key(), v[1])
			return loss.InfoNCE(q[0], k[0], mo.Queue().Node(g), mo.Options.Loss)
		}},
		{"DisCo", 2, func(t testing.TB) Method {
			o := DefaultDisCoOptions()
			o.Student.ProjectorHidden, o.Student.ProjectorOut, o.Student.QueueSize = 16, 8, 32
			m, err := NewDisCo(tinyCNN(t, 1), teacherEnc(t), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			d := m.(*DisCo)
			q := fwd(t, d.Encoder(), v...)
			k := fwd(t, d.Key(), v[1])
			tt := fwd(t, d.Teacher(), v...)
			return loss.DisCo(q[0], k[0], d.Queue().Node(g), tt[0], q[1], tt[1], d.Options.Loss)
		}},
		{"S2BNN", 2, func(t testing.TB) Method {
			o := DefaultS2BNNOptions()
			o.ProjectorOut = 8
			m, err := NewS2BNN(tinyBinary(t), teacherEnc(t), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			s := m.(*S2BNN)
			st := fwd(t, s.Encoder(), v...)
			tt := fwd(t, s.Teacher(), v...)
			a, err := loss.Distill(st[0], tt[0], s.Options.Loss)
			must(t, err)
			b, err := loss.Distill(st[1], tt[1], s.Options.Loss)
			must(t, err)
			return G.HadamardDiv(G.Must(G.Add(a, b)), G.NewConstant(float32(2)))
		}},
		{"DINO", 4, func(t testing.TB) Method {
			o := DefaultDINOOptions()
			o.Head = head.DINOConfig{Out: 10, Hidden: 16, Bottleneck: 6, Layers: 3}
			m, err := NewDINO(tinyCNN(t, 1), o)
			must(t, err)
			// A non-zero centre, so that its use is checked too.
			for i := range m.loss.Centre() {
				m.tensors[len(m.tensors)-1].Data()[i] = float32(i) * 0.1
			}
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			d := m.(*DINO)
			s := fwd(t, d.Encoder(), v...)
			tt := fwd(t, d.Teacher(), v[:2]...)
			return d.Loss().Loss(s, tt)
		}},
		{"EsViT", 3, func(t testing.TB) Method {
			o := DefaultEsViTOptions()
			o.Head = head.DINOConfig{Out: 10, Hidden: 16, Bottleneck: 6, Layers: 2}
			o.RegionHead = head.DINOConfig{Out: 7, Hidden: 16, Bottleneck: 6, Layers: 2}
			m, err := NewEsViT(tinyViT(t), o)
			must(t, err)
			return m
		}, func(t testing.TB, m Method, g *G.ExprGraph, v []*G.Node) (*G.Node, error) {
			e := m.(*EsViT)
			sv, sr, err := e.student.views(v)
			must(t, err)
			tv, tr, err := e.teacher.views(v[:2])
			must(t, err)
			return e.Loss().Loss(sv, tv, sr, tr)
		}},
	}
	const n = 6
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.build(t)
			g := G.NewGraph()
			st, err := m.BuildLoss(g, inputs(g, c.views, n))
			must(t, err)
			graphtest.Run(t, g)
			got := st.LossValue()

			g2 := G.NewGraph()
			ref, err := c.ref(t, m, g2, inputs(g2, c.views, n))
			must(t, err)
			var v G.Value
			G.Read(ref, &v)
			graphtest.Run(t, g2)
			want := scalarOf(v)
			if math.IsNaN(want) || math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("%s: BuildLoss gives %v, the loss function %v", m.Name(), got, want)
			}
			if len(m.Params()) == 0 || CountParams(m) == 0 {
				t.Error("no trainable parameters")
			}
			if _, err := m.BuildLoss(G.NewGraph(), nil); err == nil {
				t.Error("no views accepted")
			}
		})
	}
}
