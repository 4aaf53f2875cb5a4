package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gossl/gossl/sslkit/embed"
	"gonum.org/v1/gonum/mat"
)

var (
	casesFlag = flag.String("cases", "c2k,c10k,fashion", "comma-separated cases: c2k, c10k, fashion")
	memFlag   = flag.Bool("mem", true, "measure sslkit's peak RSS at 10k and 50k points")
	python    = flag.String("python", "/usr/bin/python3", "Python with sklearn and umap-learn")
	fashion   = flag.String("fashion", "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "Fashion-MNIST images (idx gz)")
	memChild  = flag.String("memchild", "", "internal: run one method for the memory measurement (tsne:N or umap:N)")
	trustK    = flag.Int("k", 10, "neighbours for trustworthiness")
	methods   = flag.String("methods", "tsne,umap", "comma-separated methods: tsne, umap")
)

func main() {
	flag.Parse()
	if *memChild != "" {
		runMemChild(*memChild)
		return
	}
	dir, err := os.MkdirTemp("", "bench-embed")
	check(err)
	defer os.RemoveAll(dir)
	fmt.Printf("# bench/embed  %s  GOMAXPROCS=%d  load before: %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOMAXPROCS(0), load())
	fmt.Println("| data | method | sslkit s | peer s | ratio (sslkit/peer) | sslkit CPU s | peer CPU s | trust sslkit | trust peer | Δtrust | load |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	peerRSS := map[string]float64{}
	for _, c := range strings.Split(*casesFlag, ",") {
		if c == "" {
			continue
		}
		x, name := dataset(c)
		n, d := x.Dims()
		in := filepath.Join(dir, c+".f32")
		writeF32(in, x)
		for _, method := range strings.Split(*methods, ",") {
			ld := load()
			// the peer first, then sslkit, on the same data back to back
			peerOut := filepath.Join(dir, c+"."+method+".out")
			peer := runPeer(method, in, n, d, peerOut)
			if c == "c10k" {
				peerRSS[method] = peer.MaxRSSKB / 1024
			}
			peerEmb := readF32(peerOut, n, 2)
			start, cpu0 := time.Now(), cpuSeconds()
			var emb *mat.Dense
			switch method {
			case "tsne":
				res, err := embed.RunTSNE(context.Background(), x, embed.DefaultTSNEOptions())
				check(err)
				emb = res.Embedding
			case "umap":
				u, err := embed.FitUMAP(context.Background(), x, embed.DefaultUMAPOptions())
				check(err)
				emb = u.Embedding
			}
			ourSec, ourCPU := time.Since(start).Seconds(), cpuSeconds()-cpu0
			tOur, err := embed.Trustworthiness(x, emb, *trustK)
			check(err)
			tPeer, err := embed.Trustworthiness(x, peerEmb, *trustK)
			check(err)
			peerName := map[string]string{"tsne": "t-SNE vs sklearn", "umap": "UMAP vs umap-learn"}[method]
			fmt.Printf("| %s | %s | %.2f | %.2f | %.2f× | %.1f | %.1f | %.4f | %.4f | %+.4f | %s |\n",
				name, peerName, ourSec, peer.Seconds, ourSec/peer.Seconds, ourCPU, peer.CPUSeconds, tOur, tPeer, tOur-tPeer, ld)
		}
	}
	if *memFlag {
		fmt.Println()
		fmt.Println("| method | n (×128) | sslkit peak RSS MiB | peer peak RSS MiB | sslkit s |")
		fmt.Println("|---|---|---|---|---|")
		for _, method := range strings.Split(*methods, ",") {
			for _, n := range []int{10000, 50000} {
				spec := fmt.Sprintf("%s:%d", method, n)
				self, err := os.Executable()
				check(err)
				cmd := exec.Command(self, "-memchild", spec)
				cmd.Stderr = os.Stderr
				start := time.Now()
				out, err := cmd.Output()
				check(err)
				sec := time.Since(start).Seconds()
				rss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024
				_ = out
				peerCell := "–"
				if v, ok := peerRSS[method]; ok && n == 10000 {
					peerCell = fmt.Sprintf("%.0f (clustered 10k run)", v)
				}
				fmt.Printf("| %s | %d | %.0f | %s | %.1f |\n", method, n, rss, peerCell, sec)
			}
		}
	}
	fmt.Printf("\nload after: %s\n", load())
}

// runMemChild runs one method on clustered n×128 data; the parent reads
// the peak RSS. t-SNE runs 300 iterations (memory does not grow with
// iterations).
func runMemChild(spec string) {
	var method string
	var n int
	_, err := fmt.Sscanf(strings.Replace(spec, ":", " ", 1), "%s %d", &method, &n)
	check(err)
	x, _ := clustered(n, 128, 10, 1)
	switch method {
	case "tsne":
		opt := embed.DefaultTSNEOptions()
		opt.Iterations = 300
		_, err = embed.RunTSNE(context.Background(), x, opt)
	case "umap":
		_, err = embed.FitUMAP(context.Background(), x, embed.DefaultUMAPOptions())
	}
	check(err)
}

func dataset(c string) (*mat.Dense, string) {
	switch c {
	case "c2k":
		x, _ := clustered(2000, 128, 10, 1)
		return x, "clustered 2,000×128"
	case "c10k":
		x, _ := clustered(10000, 128, 10, 1)
		return x, "clustered 10,000×128"
	case "fashion":
		return fashionMNIST(*fashion, 10000), "Fashion-MNIST 10,000×784"
	}
	check(fmt.Errorf("unknown case %q", c))
	return nil, ""
}

// clustered draws n points around c Gaussian centres (centres ~N(0, s²),
// unit noise).
func clustered(n, d, c int, s float64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewSource(42))
	centres := make([]float64, c*d)
	for i := range centres {
		centres[i] = s * rng.NormFloat64()
	}
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		k := rng.Intn(c)
		labels[i] = k
		for j := 0; j < d; j++ {
			x.Set(i, j, centres[k*d+j]+rng.NormFloat64())
		}
	}
	return x, labels
}

// fashionMNIST reads the first n images of an idx3 gz file, scaled to [0, 1].
func fashionMNIST(path string, n int) *mat.Dense {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	check(err)
	r := bufio.NewReader(zr)
	var hdr [4]uint32
	check(binary.Read(r, binary.BigEndian, &hdr))
	if hdr[0] != 0x803 {
		check(fmt.Errorf("%s: magic %#x, want 0x803 (idx3 ubyte)", path, hdr[0]))
	}
	count, rows, cols := int(hdr[1]), int(hdr[2]), int(hdr[3])
	n = min(n, count)
	d := rows * cols
	buf := make([]byte, d)
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		_, err := io.ReadFull(r, buf)
		check(err)
		for j, b := range buf {
			x.Set(i, j, float64(b)/255)
		}
	}
	return x
}

type peerResult struct {
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	MaxRSSKB   float64 `json:"maxrss_kb"`
}

// cpuSeconds is this process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func runPeer(method, in string, n, d int, out string) peerResult {
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "peer.py")
	cmd := exec.Command(*python, script, method, in, fmt.Sprint(n), fmt.Sprint(d), out)
	cmd.Stderr = io.Discard
	b, err := cmd.Output()
	check(err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var res peerResult
	check(json.Unmarshal([]byte(lines[len(lines)-1]), &res))
	return res
}

func writeF32(path string, x *mat.Dense) {
	n, d := x.Dims()
	buf := make([]byte, 4*n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			binary.LittleEndian.PutUint32(buf[4*(i*d+j):], math.Float32bits(float32(x.At(i, j))))
		}
	}
	check(os.WriteFile(path, buf, 0o644))
}

func readF32(path string, n, d int) *mat.Dense {
	b, err := os.ReadFile(path)
	check(err)
	if len(b) != 4*n*d {
		check(fmt.Errorf("%s: %d bytes, want %d", path, len(b), 4*n*d))
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*(i*d+j):]))))
		}
	}
	return x
}

func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/embed:", err)
		os.Exit(1)
	}
}
