package train

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/head"
	"github.com/gossl/gossl/sslkit/method"
)

type methodCase struct {
	name  string
	views int
	build func(t *testing.T) method.Method
}

func methodCases() []methodCase {
	teacher := func(t *testing.T) method.Method { return simclr(t) }
	return []methodCase{
		{"SimCLR", 2, func(t *testing.T) method.Method { return simclr(t) }},
		{"MoCo", 2, func(t *testing.T) method.Method {
			o := method.DefaultMoCoOptions()
			o.ProjectorOut, o.QueueSize = 8, 24
			m, err := method.NewMoCo(tinyCNN(t, 1), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"BYOL", 2, func(t *testing.T) method.Method { return byolForTest(t) }},
		{"SimSiam", 2, func(t *testing.T) method.Method {
			o := method.DefaultSimSiamOptions()
			o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 16, 4
			m, err := method.NewSimSiam(tinyCNN(t, 1), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"Barlow", 2, func(t *testing.T) method.Method {
			o := method.DefaultBarlowTwinsOptions()
			o.ProjectorHidden, o.ProjectorOut = 16, 16
			m, err := method.NewBarlowTwins(tinyCNN(t, 1), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"Triplet", 2, func(t *testing.T) method.Method {
			o := method.DefaultTripletOptions()
			o.ProjectorHidden, o.ProjectorOut, o.PredictorHidden = 16, 8, 16
			m, err := method.NewTriplet(tinyCNN(t, 1), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"DINO", 4, func(t *testing.T) method.Method {
			o := method.DefaultDINOOptions()
			o.Head = head.DINOConfig{Out: 16, Hidden: 16, Bottleneck: 8, Layers: 3}
			o.WarmupEpochs, o.Loss.TeacherTemp = 2, 0.07
			m, err := method.NewDINO(tinyCNN(t, 1), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"EsViT", 2, func(t *testing.T) method.Method {
			c := backbone.DefaultViTConfig()
			c.ImageSize, c.InChannels, c.PatchSize, c.Window = 8, 1, 2, 2
			c.Dims, c.Depths, c.Heads = []int{8, 16}, []int{1, 1}, []int{2, 2}
			v, err := backbone.NewViT(c, rand.New(rand.NewSource(2)))
			if err != nil {
				t.Fatal(err)
			}
			o := method.DefaultEsViTOptions()
			o.Head = head.DINOConfig{Out: 10, Hidden: 16, Bottleneck: 6, Layers: 2}
			o.RegionHead = o.Head
			m, err := method.NewEsViT(v, o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"DisCo", 2, func(t *testing.T) method.Method {
			o := method.DefaultDisCoOptions()
			o.Student.ProjectorHidden, o.Student.ProjectorOut, o.Student.QueueSize = 16, 8, 24
			m, err := method.NewDisCo(tinyCNN(t, 1), teacher(t).Encoder(), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
		{"S2BNN", 2, func(t *testing.T) method.Method {
			o := method.DefaultS2BNNOptions()
			o.ProjectorOut = 8
			m, err := method.NewS2BNN(tinyCNN(t, 1), teacher(t).Encoder(), o)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}},
	}
}

func viewLoader(t *testing.T, views int) *data.Loader {
	l, err := data.NewLoader(synthetic(t, 40), data.LoaderOptions{BatchSize: 16, Shuffle: true, Seed: 3, Viewer: noisyViews{views, 0.2}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Every method trains through the Trainer (an epoch with its partial last
// batch), and an interrupted, saved and resumed run repeats the
// uninterrupted loss curve exactly — queue, centre, teacher, optimizer
// and BatchNorm statistics included.
func TestEveryMethodTrainsAndResumes(t *testing.T) {
	for _, c := range methodCases() {
		t.Run(c.name, func(t *testing.T) {
			full, err := NewTrainer(c.build(t), viewLoader(t, c.views), quiet(5))
			if err != nil {
				t.Fatal(err)
			}
			if err := full.Fit(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := full.Losses()
			for i, l := range want {
				if math.IsNaN(l) || math.IsInf(l, 0) {
					t.Fatalf("step %d: loss %v", i, l)
				}
			}

			// Interrupted after 2 steps (changing Steps would change the
			// schedule's horizon).
			ctx, cancel := context.WithCancel(context.Background())
			opt := quiet(5)
			opt.Callbacks = []Stepper{&recorder{onStep: func(i int) {
				if i == 2 {
					cancel()
				}
			}}}
			half, err := NewTrainer(c.build(t), viewLoader(t, c.views), opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := half.Fit(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Fit: %v", err)
			}
			path := filepath.Join(t.TempDir(), "ckpt.safetensors")
			if err := half.Save(path); err != nil {
				t.Fatal(err)
			}
			resumed, err := NewTrainer(c.build(t), viewLoader(t, c.views), quiet(5))
			if err != nil {
				t.Fatal(err)
			}
			if err := resumed.Resume(path); err != nil {
				t.Fatal(err)
			}
			if err := resumed.Fit(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := resumed.Losses()
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("resumed curve %v, uninterrupted %v", got, want)
				}
			}
		})
	}
}
