package nn

import (
	"fmt"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"
)

// ResNet-18's dense convolutions with the CIFAR stem at batch 128, with
// how many times each occurs in the network.
var resnet18Convs = []struct {
	c, h, out, k, s, p, times int
}{
	{3, 32, 64, 3, 1, 1, 1},
	{64, 32, 64, 3, 1, 1, 4},
	{64, 32, 128, 3, 2, 1, 1},
	{64, 32, 128, 1, 2, 0, 1},
	{128, 16, 128, 3, 1, 1, 3},
	{128, 16, 256, 3, 2, 1, 1},
	{256, 8, 256, 3, 1, 1, 3},
	{256, 8, 512, 3, 2, 1, 1},
	{512, 4, 512, 3, 1, 1, 3},
}

type convBenchJob struct {
	g                   convGeom
	x, w, dy, y, dx, dw []float32
	times               int
}

func resnet18ConvJobs(b *testing.B) []convBenchJob {
	rng := rand.New(rand.NewSource(1))
	var jobs []convBenchJob
	for _, s := range resnet18Convs {
		g, err := newConvGeom(tensor.Shape{128, s.c, s.h, s.h}, tensor.Shape{s.out, s.c, s.k, s.k}, s.s, s.p, 1)
		if err != nil {
			b.Fatal(err)
		}
		jobs = append(jobs, convBenchJob{g: g, x: rnd(rng, g.n*g.inSize), w: rnd(rng, g.fSize), dy: rnd(rng, g.n*g.ySize),
			y: make([]float32, g.n*g.ySize), dx: make([]float32, g.n*g.inSize), dw: make([]float32, g.fSize), times: s.times})
	}
	return jobs
}

// BenchmarkResNet18Convs runs forward, input gradient and filter gradient
// of every dense convolution of a ResNet-18 step, all on im2col, or with
// the 3×3 stride-1 ones on Winograd from a given channel count (the
// layers' own choice is winoMinChannels). Per shape: -bench
// ResNet18Convs/shape.
func BenchmarkResNet18Convs(b *testing.B) {
	jobs := resnet18ConvJobs(b)
	run := func(j convBenchJob, wino bool) {
		clear(j.dx)
		if wino {
			j.g.winoForward(j.x, j.w, j.y)
			j.g.winoGradInput(j.w, j.dy, j.dx)
			j.g.winoGradFilter(j.x, j.dy, j.dw)
			return
		}
		j.g.im2colForward(j.x, j.w, j.y)
		j.g.im2colGradInput(j.w, j.dy, j.dx)
		j.g.im2colGradFilter(j.x, j.dy, j.dw)
	}
	canWino := func(g convGeom, from int) bool {
		return g.k == 3 && g.s == 1 && g.d == 1 && g.c >= from && g.out >= from
	}
	for _, from := range []int{0, 128, 64} {
		name := "im2col"
		if from > 0 {
			name = fmt.Sprintf("winograd-from-%d", from)
		}
		b.Run("step/"+name, func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				for _, j := range jobs {
					for t := 0; t < j.times; t++ {
						run(j, from > 0 && canWino(j.g, from))
					}
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
	for _, j := range jobs {
		flops := 6 * float64(j.g.n*j.g.out*j.g.rows*j.g.cols)
		for _, wino := range []bool{false, true} {
			if wino && !canWino(j.g, 1) {
				continue
			}
			name := fmt.Sprintf("shape/c%d_%dx%d_o%d_k%d_s%d/im2col", j.g.c, j.g.h, j.g.w, j.g.out, j.g.k, j.g.s)
			if wino {
				name = name[:len(name)-len("im2col")] + "winograd"
			}
			b.Run(name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					run(j, wino)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
