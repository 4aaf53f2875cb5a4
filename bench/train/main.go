// Command train times sslkit training steps beside the same steps in
// PyTorch 1.13 (Debian's python3-torch, 2 threads), in one run, and prints
// the ratio: a SimCLR step of ResNet-18 (CIFAR stem) and of the small CNN,
// a ResNet-50 forward pass, NT-Xent and Barlow Twins.
//
//	go run ./bench/train                 # every case, both sides
//	go run ./bench/train -cases resnet18 -steps 3
//	go run ./bench/train -case smallcnn -cpuprofile cpu.out -memprofile mem.out
//
// Each case runs in a child process of its own (this program again, and
// python3 bench/torch/train_bench.py), so the peak resident memory each
// reports is that step's alone. Figures: the median step's images per
// second, peak RSS (VmHWM / ru_maxrss), Go heap allocated per step after
// the warm-up step, and the size of the tensors the step produces.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gossl/gossl/sslkit/gemm"
)

// result is one side's figures for one case, printed as a JSON line.
type result struct {
	Case        string    `json:"case"`
	Side        string    `json:"side"`
	Images      int       `json:"images"`       // per step
	Steps       []float64 `json:"steps"`        // seconds per timed step
	CPUPerStep  float64   `json:"cpu_per_step"` // CPU seconds (all threads) per step
	PeakRSSMiB  float64   `json:"peak_rss_mib"`
	AllocMiB    float64   `json:"alloc_per_step_mib"`
	ActivMiB    float64   `json:"activations_mib"`
	Backend     string    `json:"backend"`
	Description string    `json:"description"`
}

func (r result) median() float64 {
	s := append([]float64(nil), r.Steps...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func (r result) best() float64 {
	b := 0.0
	for i, s := range r.Steps {
		if i == 0 || s < b {
			b = s
		}
	}
	return b
}

func main() {
	one := flag.String("case", "", "run one case in this process and print its JSON result")
	cases := flag.String("cases", "resnet18,smallcnn,resnet50fwd,ntxent,barlow", "cases to run, comma-separated")
	steps := flag.Int("steps", 0, "timed steps per case (0: the case's default)")
	python := flag.String("python", "/usr/bin/python3", "python with torch 1.13; empty to skip PyTorch")
	cpuprofile := flag.String("cpuprofile", "", "with -case: write a CPU profile of the timed steps")
	memprofile := flag.String("memprofile", "", "with -case: write an allocation profile of the timed steps")
	flag.Parse()
	if *one != "" {
		r, err := runCase(*one, *steps, *cpuprofile, *memprofile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "train: case %s: %v\n", *one, err)
			os.Exit(1)
		}
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return
	}
	if err := compare(strings.Split(*cases, ","), *steps, *python); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// compare runs every case on both sides, alternating, and prints a table.
func compare(cases []string, steps int, python string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	script := filepath.Join(repoRoot(), "bench", "torch", "train_bench.py")
	fmt.Printf("gossl bench/train  %s  GOMAXPROCS=%d  load average %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.GOMAXPROCS(0), loadAvg())
	fmt.Printf("gemm: %s\n", gemm.Backend())
	var rows [][2]*result
	for _, c := range cases {
		if _, ok := caseDefs[c]; !ok {
			return fmt.Errorf("unknown case %q (have %s)", c, strings.Join(caseNames(), ", "))
		}
		args := []string{"-case", c}
		if steps > 0 {
			args = append(args, "-steps", strconv.Itoa(steps))
		}
		goRes, err := child(self, args...)
		if err != nil {
			return fmt.Errorf("%s (sslkit): %w", c, err)
		}
		var thRes *result
		if python != "" {
			pargs := []string{script, "--case", c}
			if steps > 0 {
				pargs = append(pargs, "--steps", strconv.Itoa(steps))
			}
			if thRes, err = child(python, pargs...); err != nil {
				return fmt.Errorf("%s (pytorch): %w", c, err)
			}
		}
		rows = append(rows, [2]*result{goRes, thRes})
		fmt.Printf("  %-12s done (load %s)\n", c, loadAvg())
	}
	fmt.Printf("\n%-12s %6s %10s %10s %7s %9s %7s %10s %10s %7s %11s %10s\n", "case", "images", "sslkit i/s", "torch i/s", "ratio", "cpu ratio", "best", "sslkit MiB", "torch MiB", "ratio", "alloc/step", "activ MiB")
	for _, r := range rows {
		g, t := r[0], r[1]
		gi := float64(g.Images) / g.median()
		line := fmt.Sprintf("%-12s %6d %10.1f", g.Case, g.Images, gi)
		if t != nil {
			ti := float64(t.Images) / t.median()
			line += fmt.Sprintf(" %10.1f %6.2fx %8.2fx %6.2fx %10.0f %10.0f %6.2fx", ti, gi/ti, t.CPUPerStep/g.CPUPerStep, t.best()/g.best(),
				g.PeakRSSMiB, t.PeakRSSMiB, g.PeakRSSMiB/t.PeakRSSMiB)
		} else {
			line += fmt.Sprintf(" %10s %7s %9s %7s %10.0f %10s %7s", "-", "-", "-", "-", g.PeakRSSMiB, "-", "-")
		}
		line += fmt.Sprintf(" %9.1f%% %10.0f", 100*g.AllocMiB/g.ActivMiB, g.ActivMiB)
		fmt.Println(line)
	}
	fmt.Println("\nratio: sslkit / PyTorch images per second of the median step (higher is better); cpu ratio: PyTorch's CPU")
	fmt.Println("seconds per step / sslkit's (all threads; least disturbed by other load); best: the same for the fastest")
	fmt.Println("step; MiB: peak resident memory of the process running the step, and its ratio (lower is better);")
	fmt.Println("alloc/step: Go heap allocated per step after warm-up, as a share of the step's tensors (activ MiB).")
	for _, r := range rows {
		fmt.Printf("%s: %s\n", r[0].Case, r[0].Description)
	}
	fmt.Printf("load average after: %s\n", loadAvg())
	return nil
}

func child(prog string, args ...string) (*result, error) {
	cmd := exec.Command(prog, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v\n%s", err, errb.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Case != "" {
			return &r, nil
		}
	}
	return nil, fmt.Errorf("no result line in output:\n%s%s", out.String(), errb.String())
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuSeconds is this process's user+system CPU time: on a shared machine
// the figure other processes' load disturbs least.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// peakRSSMiB is this process's high-water resident set (Linux VmHWM).
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// runCase builds the case's graph, runs one warm-up step and the timed
// steps, profiling them if asked.
func runCase(name string, steps int, cpuprofile, memprofile string) (*result, error) {
	def, ok := caseDefs[name]
	if !ok {
		return nil, fmt.Errorf("unknown case (have %s)", strings.Join(caseNames(), ", "))
	}
	if steps <= 0 {
		steps = def.steps
	}
	gemm.Install() // before the graph is built, as a program's first sslkit layer would
	st, err := def.build()
	if err != nil {
		return nil, err
	}
	defer st.close()
	if err := st.step(); err != nil { // warm-up: allocates every tensor once
		return nil, err
	}
	r := &result{Case: name, Side: "sslkit", Images: def.images, Backend: gemm.Backend(), Description: def.desc, ActivMiB: st.activMiB()}
	if memprofile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuSeconds()
	for i := 0; i < steps; i++ {
		t0 := time.Now()
		if err := st.step(); err != nil {
			return nil, err
		}
		r.Steps = append(r.Steps, time.Since(t0).Seconds())
	}
	r.CPUPerStep = (cpuSeconds() - cpu0) / float64(steps)
	runtime.ReadMemStats(&m1)
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if memprofile != "" {
		f, err := os.Create(memprofile)
		if err != nil {
			return nil, err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return nil, err
		}
		f.Close()
	}
	r.AllocMiB = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(steps) / (1 << 20)
	r.PeakRSSMiB = peakRSSMiB()
	return r, nil
}
