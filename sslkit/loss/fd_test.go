package loss

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Every loss against finite differences w.r.t. its differentiable inputs.
func TestLossesFiniteDifferences(t *testing.T) {
	const n, d = 6, 4
	cases := []struct {
		name  string
		build func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error)
	}{
		{"NTXent", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			a, b := emb(g, dt, "a", 1, n, d), emb(g, dt, "b", 2, n, d)
			l, err := NTXent(a, b, NTXentOptions{Temperature: 0.5})
			return l, []*G.Node{a, b}, err
		}},
		{"BarlowTwins", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			a, b := emb(g, dt, "a", 1, n, d), emb(g, dt, "b", 2, n, d)
			l, err := BarlowTwins(a, b, BarlowTwinsOptions{Lambda: 0.3, Scale: 1, Eps: 1e-5})
			return l, []*G.Node{a, b}, err
		}},
		{"SimSiam", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			p1, p2 := emb(g, dt, "p1", 1, n, d), emb(g, dt, "p2", 2, n, d)
			z1, z2 := emb(g, dt, "z1", 3, n, d), emb(g, dt, "z2", 4, n, d)
			l, err := SimSiam(p1, p2, z1, z2)
			return l, []*G.Node{p1, p2}, err
		}},
		{"BYOLSymmetric", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			p1, p2 := emb(g, dt, "p1", 1, n, d), emb(g, dt, "p2", 2, n, d)
			z1, z2 := emb(g, dt, "z1", 3, n, d), emb(g, dt, "z2", 4, n, d)
			l, err := BYOLSymmetric(p1, p2, z1, z2)
			return l, []*G.Node{p1, p2}, err
		}},
		{"InfoNCE", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			q, k := emb(g, dt, "q", 1, n, d), emb(g, dt, "k", 2, n, d)
			qu, _ := NewQueue(5, d, dt, 3)
			l, err := InfoNCE(q, k, qu.Node(g, "queue"), DefaultInfoNCEOptions())
			return l, []*G.Node{q}, err
		}},
		{"TripletTruncated", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			p, tt := emb(g, dt, "p", 1, n, d), emb(g, dt, "t", 2, n, d)
			l, err := Triplet(p, tt, TripletOptions{Variant: Truncated, Gamma: 2, Lo: 1, Hi: 3, Margin: 0.5})
			return l, []*G.Node{p}, err
		}},
		{"TripletMedianSymmetric", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			p1, p2 := emb(g, dt, "p1", 1, n, d), emb(g, dt, "p2", 2, n, d)
			t1, t2 := emb(g, dt, "t1", 3, n, d), emb(g, dt, "t2", 4, n, d)
			l, err := TripletSymmetric(p1, p2, t1, t2, TripletOptions{Variant: Median, Gamma: 2, Margin: 100})
			return l, []*G.Node{p1, p2}, err
		}},
		{"DisCo", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			q, k := emb(g, dt, "q", 1, n, d), emb(g, dt, "k", 2, n, d)
			tq, sk, tk := emb(g, dt, "tq", 3, n, d), emb(g, dt, "sk", 4, n, d), emb(g, dt, "tk", 5, n, d)
			qu, _ := NewQueue(5, d, dt, 3)
			l, err := DisCo(q, k, qu.Node(g, "queue"), tq, sk, tk, DefaultDisCoOptions())
			return l, []*G.Node{q, sk}, err
		}},
		{"Distill", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			s, tt := emb(g, dt, "s", 1, n, d), emb(g, dt, "t", 2, n, d)
			l, err := Distill(s, tt, DistillOptions{Temperature: 0.5})
			return l, []*G.Node{s}, err
		}},
		{"DINO", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			s := []*G.Node{emb(g, dt, "s0", 1, n, d), emb(g, dt, "s1", 2, n, d), emb(g, dt, "s2", 3, n, d)}
			tt := []*G.Node{emb(g, dt, "t0", 4, n, d), emb(g, dt, "t1", 5, n, d)}
			dn, _ := NewDINO(d, dt, DINOOptions{StudentTemp: 0.5, TeacherTemp: 0.3, CentreMomentum: 0.9})
			l, err := dn.Loss(s, tt)
			return l, s, err
		}},
		{"EsViT", func(g *G.ExprGraph, dt tensor.Dtype) (*G.Node, []*G.Node, error) {
			const b, p, f = 2, 3, 5
			var sv, tv []*G.Node
			var sr, tr []RegionViews
			for i := int64(0); i < 3; i++ {
				sv = append(sv, emb(g, dt, "sv"+string(rune('0'+i)), 10+i, b, d))
				sr = append(sr, RegionViews{emb(g, dt, "sl"+string(rune('0'+i)), 20+i, b, p, d), emb(g, dt, "sf"+string(rune('0'+i)), 30+i, b, p, f)})
				if i < 2 {
					tv = append(tv, emb(g, dt, "tv"+string(rune('0'+i)), 40+i, b, d))
					tr = append(tr, RegionViews{emb(g, dt, "tl"+string(rune('0'+i)), 50+i, b, p+1, d), emb(g, dt, "tf"+string(rune('0'+i)), 60+i, b, p+1, f)})
				}
			}
			e, _ := NewEsViT(d, d, dt, DINOOptions{StudentTemp: 0.5, TeacherTemp: 0.3, CentreMomentum: 0.9})
			l, err := e.Loss(sv, tv, sr, tr)
			return l, append(append([]*G.Node{}, sv...), sr[0].Logits, sr[2].Logits), err
		}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				g := G.NewGraph()
				l, wrt, err := c.build(g, dt)
				if err != nil {
					t.Fatal(err)
				}
				if !l.IsScalar() || l.Dtype() != dt {
					t.Fatalf("loss shape %v dtype %v", l.Shape(), l.Dtype())
				}
				fdCheck(t, l, wrt...)
			})
		}
	}
}
