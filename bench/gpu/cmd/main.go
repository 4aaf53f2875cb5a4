package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/gossl/gossl/sslkit/gpu"
)

// Exit statuses: run.sh tells "no GPU" apart from a failed check.
const (
	exitOK     = 0
	exitFailed = 1
	exitNoGPU  = 3
)

type report struct {
	Device        string              `json:"device"`
	KernelChecks  []kernelResult      `json:"kernel_checks,omitempty"`
	KernelsFailed int                 `json:"kernels_failed"`
	Executor      *executorComparison `json:"executor,omitempty"`
	Step          *stepTiming         `json:"resnet18_step,omitempty"`
}

type kernelResult struct {
	Name      string  `json:"name"`
	MaxRelErr float64 `json:"max_rel_err"`
	Error     string  `json:"error,omitempty"`
	OK        bool    `json:"ok"`
}

type executorComparison struct {
	LossCPU, LossGPU float32
	MaxGradRelErr    float64
	OK               bool
}

type stepTiming struct {
	Batch        int     `json:"batch"`
	Images       int     `json:"images_per_step"`
	Params       int     `json:"params"`
	BuildSeconds float64 `json:"graph_build_s"`
	ArenaGiB     float64 `json:"arena_gib"`
	NaiveGiB     float64 `json:"naive_gib"`
	Steps        int     `json:"steps"`
	MsPerStep    float64 `json:"ms_per_step"`
	ImagesPerSec float64 `json:"images_per_s"`
	FirstLoss    float32 `json:"first_loss"`
	LastLoss     float32 `json:"last_loss"`
}

func main() {
	var (
		device  = flag.String("device", "cuda", "cuda, or cpu with -verify")
		tol     = flag.Float64("tol", 1e-4, "relative tolerance of the kernel and executor checks")
		batch   = flag.Int("batch", 256, "images per SimCLR step (two views each)")
		steps   = flag.Int("steps", 20, "timed steps")
		warmup  = flag.Int("warmup", 3, "untimed steps first (NVRTC compile, pool warm-up)")
		skip    = flag.Bool("skip-step", false, "skip the ResNet-18 timing")
		verify  = flag.Bool("verify", false, "with -device cpu: check the executor on the ResNet-18 graph against gorgonia's tape machine at a tiny size")
		jsonOut = flag.String("json", "", "write the full report here")
		plan    = flag.Bool("plan-only", false, "build the ResNet-18 step's graph at -batch and print the executor's plan (no GPU needed, nothing run)")
	)
	flag.Parse()
	if *plan {
		os.Exit(planOnly(*batch))
	}
	if *device == "cpu" {
		if !*verify {
			fmt.Fprintln(os.Stderr, "gpucheck: -device cpu only makes sense with -verify")
			os.Exit(2)
		}
		os.Exit(verifyOnCPU(*tol))
	}
	choice, err := gpu.Select(*device)
	if err != nil {
		fmt.Printf("gpucheck: no GPU: %v\n", err)
		os.Exit(exitNoGPU)
	}
	cuda := choice.Backend
	rep := report{Device: choice.Reason}
	fmt.Println(choice.Reason)

	// 1. Every kernel against the CPU.
	start := time.Now()
	failed := 0
	for _, c := range gpu.CheckKernels(gpu.NewHost(), cuda) {
		r := kernelResult{Name: c.Name, MaxRelErr: c.MaxRelErr, OK: c.OK(*tol)}
		if c.Err != nil {
			r.Error = c.Err.Error()
		}
		if !r.OK {
			failed++
			fmt.Printf("  FAIL %-34s max rel err %.3g %s\n", c.Name, c.MaxRelErr, r.Error)
		}
		rep.KernelChecks = append(rep.KernelChecks, r)
	}
	rep.KernelsFailed = failed
	fmt.Printf("kernels: %d of %d agree with the CPU to %.0e relative (%.1f s)\n",
		len(rep.KernelChecks)-failed, len(rep.KernelChecks), *tol, time.Since(start).Seconds())

	// 2. The executor on a small graph, both backends.
	cmp, err := compareExecutors(cuda, *tol)
	if err != nil {
		fmt.Printf("executor: FAIL: %v\n", err)
		failed++
	} else {
		rep.Executor = cmp
		status := "ok"
		if !cmp.OK {
			status = "FAIL"
			failed++
		}
		fmt.Printf("executor (ResNet-shaped graph, batch 4, 16×16): loss cpu %.6f gpu %.6f, max gradient rel err %.3g: %s\n",
			cmp.LossCPU, cmp.LossGPU, cmp.MaxGradRelErr, status)
	}

	// 3. The ResNet-18 SimCLR step.
	if !*skip {
		st, err := timeStep(cuda, *batch, *warmup, *steps)
		if err != nil {
			fmt.Printf("resnet18 step: FAIL: %v\n", err)
			failed++
		} else {
			rep.Step = st
			fmt.Printf("resnet18 step: gossl %.1f images/s (%.1f ms/step, batch %d = %d views, %d params, arena %.2f GiB vs %.2f GiB unplanned, loss %.4f → %.4f)\n",
				st.ImagesPerSec, st.MsPerStep, st.Batch, st.Images, st.Params, st.ArenaGiB, st.NaiveGiB, st.FirstLoss, st.LastLoss)
		}
	}
	if *jsonOut != "" {
		if b, err := json.MarshalIndent(rep, "", "  "); err == nil {
			_ = os.WriteFile(*jsonOut, b, 0o644)
		}
	}
	if failed > 0 {
		os.Exit(exitFailed)
	}
	os.Exit(exitOK)
}

func randomInput(n int, seed int64) []float32 {
	rng := rand.New(rand.NewSource(seed))
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(rng.NormFloat64())
	}
	return d
}

// runExecutor runs one forward/backward pass of m on b and returns the
// loss and every gradient.
func runExecutor(b gpu.Backend, m *simclr, input []float32) (float32, [][]float32, error) {
	e, err := gpu.NewExecutor(b, m.g, gpu.ExecOptions{Inputs: G.Nodes{m.x}, Params: m.params, Grads: m.grads, Outputs: G.Nodes{m.loss}})
	if err != nil {
		return 0, nil, err
	}
	defer e.Close()
	if err := e.SetInput(m.x, input); err != nil {
		return 0, nil, err
	}
	if err := e.Run(context.Background()); err != nil {
		return 0, nil, err
	}
	l, err := e.Scalar(m.loss)
	if err != nil {
		return 0, nil, err
	}
	var gs [][]float32
	for _, g := range m.grads {
		d, err := e.Value(g)
		if err != nil {
			return 0, nil, err
		}
		gs = append(gs, d)
	}
	return l, gs, nil
}

// maxRelErr compares gradients as CheckKernels does: relative to each
// tensor's RMS where values are small.
func maxRelErr(want, got [][]float32) float64 {
	worst := 0.0
	for i := range want {
		rms := 0.0
		for _, v := range want[i] {
			rms += float64(v) * float64(v)
		}
		rms = math.Sqrt(rms / float64(max(len(want[i]), 1)))
		for j := range want[i] {
			den := math.Max(math.Abs(float64(want[i][j])), rms)
			if den == 0 {
				den = 1
			}
			e := math.Abs(float64(got[i][j])-float64(want[i][j])) / den
			if math.IsNaN(e) {
				e = math.Inf(1)
			}
			worst = math.Max(worst, e)
		}
	}
	return worst
}

func compareExecutors(cuda gpu.Backend, tol float64) (*executorComparison, error) {
	m, err := buildSimCLR(2, 16, 8, 5)
	if err != nil {
		return nil, err
	}
	in := randomInput(m.x.Shape().TotalSize(), 6)
	lc, gc, err := runExecutor(gpu.NewHost(), m, in)
	if err != nil {
		return nil, fmt.Errorf("cpu: %w", err)
	}
	lg, gg, err := runExecutor(cuda, m, in)
	if err != nil {
		return nil, fmt.Errorf("gpu: %w", err)
	}
	c := &executorComparison{LossCPU: lc, LossGPU: lg, MaxGradRelErr: maxRelErr(gc, gg)}
	// Gradients pass through ~60 layers: 10× the kernels' tolerance.
	c.OK = math.Abs(float64(lc-lg)) <= tol*math.Max(1, math.Abs(float64(lc))) && c.MaxGradRelErr <= 10*tol
	return c, nil
}

func timeStep(b gpu.Backend, batch, warmup, steps int) (*stepTiming, error) {
	t0 := time.Now()
	m, err := buildSimCLR(batch, 32, 64, 1)
	if err != nil {
		return nil, err
	}
	e, err := gpu.NewExecutor(b, m.g, gpu.ExecOptions{Inputs: G.Nodes{m.x}, Params: m.params, Grads: m.grads, Outputs: G.Nodes{m.loss}})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	st := &stepTiming{Batch: batch, Images: 2 * batch, Params: countParams(m.params), BuildSeconds: time.Since(t0).Seconds(), Steps: steps}
	p := e.Plan()
	st.ArenaGiB, st.NaiveGiB = float64(p.Peak)*4/(1<<30), float64(p.Naive)*4/(1<<30)
	if err := e.SetInput(m.x, randomInput(m.x.Shape().TotalSize(), 2)); err != nil {
		return nil, err
	}
	step := func() (float32, error) {
		if err := e.Run(context.Background()); err != nil {
			return 0, err
		}
		if err := e.SGD(0.06, 0.9, 5e-4); err != nil {
			return 0, err
		}
		return e.Scalar(m.loss) // the Trainer reads the loss every step
	}
	for i := 0; i < warmup; i++ {
		l, err := step()
		if err != nil {
			return nil, err
		}
		if i == 0 {
			st.FirstLoss = l
		}
	}
	t := time.Now()
	for i := 0; i < steps; i++ {
		l, err := step()
		if err != nil {
			return nil, err
		}
		st.LastLoss = l
	}
	sec := time.Since(t).Seconds()
	st.MsPerStep = 1000 * sec / float64(steps)
	st.ImagesPerSec = float64(batch*steps) / sec
	return st, nil
}

// verifyOnCPU checks the executor on the ResNet-18 graph (tiny size) on
// the CPU backend against gorgonia's tape machine.
func verifyOnCPU(tol float64) int {
	m, err := buildSimCLR(2, 8, 4, 3)
	if err != nil {
		fmt.Println("verify:", err)
		return exitFailed
	}
	in := randomInput(m.x.Shape().TotalSize(), 4)
	lh, gh, err := runExecutor(gpu.NewHost(), m, in)
	if err != nil {
		fmt.Println("verify: executor:", err)
		return exitFailed
	}
	lt, gt, err := tape(m, in)
	if err != nil {
		fmt.Println("verify: tape machine:", err)
		return exitFailed
	}
	rel := maxRelErr(gt, gh)
	ok := math.Abs(float64(lh-lt)) <= tol*math.Max(1, math.Abs(float64(lt))) && rel <= 10*tol
	fmt.Printf("verify (ResNet-18 graph, width 4, 4 views of 8×8, %d params, %d gradients): loss executor %.6f, gorgonia %.6f; max gradient rel err %.3g: %v\n",
		countParams(m.params), len(gt), lh, lt, rel, map[bool]string{true: "ok", false: "FAIL"}[ok])
	if !ok {
		return exitFailed
	}
	return exitOK
}

// planOnly builds the timed step's graph and plans it on the CPU backend
// without running it: the graph-building time, the number of steps and the
// arena the GPU will need (the CPU backend's arena is never touched, so
// it costs address space, not memory).
func planOnly(batch int) int {
	t0 := time.Now()
	m, err := buildSimCLR(batch, 32, 64, 1)
	if err != nil {
		fmt.Println("plan:", err)
		return exitFailed
	}
	built := time.Since(t0)
	e, err := gpu.NewExecutor(gpu.NewHost(), m.g, gpu.ExecOptions{Inputs: G.Nodes{m.x}, Params: m.params, Grads: m.grads, Outputs: G.Nodes{m.loss}})
	if err != nil {
		fmt.Println("plan:", err)
		return exitFailed
	}
	defer e.Close()
	p := e.Plan()
	fmt.Printf("plan: ResNet-18 SimCLR step, batch %d (%d views of 32×32): %d params, %d graph nodes, %d executor steps; graph built in %.1f s, planned in %.1f s; arena %.2f GiB, %.2f GiB with one buffer per value\n",
		batch, 2*batch, countParams(m.params), len(m.g.AllNodes()), len(e.Steps()), built.Seconds(), time.Since(t0).Seconds()-built.Seconds(),
		float64(p.Peak)*4/(1<<30), float64(p.Naive)*4/(1<<30))
	if err := p.Check(); err != nil {
		fmt.Println("plan:", err)
		return exitFailed
	}
	return exitOK
}
