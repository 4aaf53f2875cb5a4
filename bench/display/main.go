package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/gossl/gossl/display"
)

// timings are the percentiles of one measured task, in milliseconds.
type timings struct {
	P50, P90 float64
	Bytes    int
}

func main() {
	n := flag.Int("n", 50, "renders per measurement")
	python := flag.String("python", "/usr/bin/python3", "Python with matplotlib for the peer figure (empty to skip)")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "display-bench: -n must be at least 1")
		os.Exit(2)
	}
	xs, ys, labels := scatterData(1000)

	ours := map[string]timings{
		// the bundle a notebook stores: a 2x PNG (SVG only with WithSVG)
		"bundle": measure(*n, func() int {
			b := display.Scatter("embeddings", xs, ys, labels).Render()
			return len(b.Data["image/png"].(string))
		}),
		"SVG": measure(*n, func() int {
			svg, err := display.Scatter("embeddings", xs, ys, labels).SVG()
			check(err)
			return len(svg)
		}),
		"PNG": measure(*n, func() int {
			png, err := display.Scatter("embeddings", xs, ys, labels).PNG()
			check(err)
			return len(png)
		}),
	}
	peer, peerErr := matplotlib(*python, *n)

	fmt.Printf("1000-point scatter, 10 classes, 6×4 in at 96 dpi; %d renders each; %s, %d CPUs\n",
		*n, runtime.Version(), runtime.NumCPU())
	fmt.Printf("%-8s %12s %12s %10s   %16s %16s\n", "output", "gossl p50", "gossl p90", "bytes", "matplotlib p50", "matplotlib p90")
	for _, k := range []string{"bundle", "SVG", "PNG"} {
		o := ours[k]
		p, ok := peer[k]
		ps50, ps90 := "n/a", "n/a"
		if ok {
			ps50, ps90 = fmt.Sprintf("%.1f ms", p.P50), fmt.Sprintf("%.1f ms", p.P90)
		}
		fmt.Printf("%-8s %9.1f ms %9.1f ms %10d   %16s %16s\n", k, o.P50, o.P90, o.Bytes, ps50, ps90)
	}
	if peerErr != nil {
		fmt.Printf("matplotlib not measured: %v\n", peerErr)
	}
	verdict := "meets"
	if ours["bundle"].P50 > 50 {
		verdict = "MISSES"
	}
	fmt.Printf("bundle p50 %.1f ms %s the 50 ms bar\n", ours["bundle"].P50, verdict)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "display-bench:", err)
		os.Exit(1)
	}
}

// measure runs f n times after one warm-up run.
func measure(n int, f func() int) timings {
	size := f()
	ms := make([]float64, n)
	for i := range ms {
		t0 := time.Now()
		f()
		ms[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	sort.Float64s(ms)
	return timings{P50: ms[n/2], P90: ms[n*9/10], Bytes: size}
}

func scatterData(n int) (xs, ys []float64, labels []int) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		labels = append(labels, i%10)
		xs = append(xs, r.NormFloat64()+float64(i%10))
		ys = append(ys, r.NormFloat64())
	}
	return xs, ys, labels
}

// matplotlib runs the peer script beside this file and reads its JSON.
func matplotlib(python string, n int) (map[string]timings, error) {
	if python == "" {
		return nil, fmt.Errorf("skipped")
	}
	script := filepath.Join(sourceDir(), "matplotlib_scatter.py")
	out, err := exec.Command(python, script, fmt.Sprint(n)).Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", python, script, err)
	}
	var res map[string]timings
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("peer output: %w", err)
	}
	return res, nil
}

// sourceDir finds this command's directory whether run with go run from
// the repository root or as a built binary from anywhere in it.
func sourceDir() string {
	for _, d := range []string{"bench/display", "."} {
		if _, err := os.Stat(filepath.Join(d, "matplotlib_scatter.py")); err == nil {
			return d
		}
	}
	return "bench/display"
}
