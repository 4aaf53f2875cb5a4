// Command fmnist is the sslkit side of bench/ssl/fmnist (run.sh runs it
// beside torch_side.py): one self-supervised run on Fashion-MNIST with the
// recipe below, then the two standard evaluations of the frozen backbone,
// printed as one JSON line on stdout (progress goes to stderr).
//
// The recipe (torch_side.py implements the same one in PyTorch 1.13):
//
//	data        Fashion-MNIST training set, its first -train images (default
//	            4096; images in [0, 1], no normalisation); evaluation on
//	            the same training images (no augmentation) and the full
//	            10000-image test set
//	backbone    backbone.NewSmallCNN(1, 128): conv3×3(32, no bias)–BN–ReLU–
//	            maxpool2, conv3×3(64, no bias)–BN–ReLU–maxpool2,
//	            Linear(3136→128, no bias)–BN1d–ReLU; PyTorch's default init
//	views       augment.SimCLR(28), two views per image: RandomResizedCrop(28,
//	            scale (0.08, 1), ratio (3/4, 4/3)), horizontal flip p 0.5,
//	            ColorJitter(0.4, 0.4, 0.4, 0.1) p 0.8, grayscale p 0.2
//	            (saturation, hue and grayscale change nothing on one channel)
//	batch       256 images (512 views), shuffled each epoch, last partial
//	            batch kept; each view goes through the networks on its own
//	simclr      projector Linear(128,128)–ReLU–Linear(128,128) with biases,
//	            NT-Xent τ = 0.5 over 2N views; SGD lr 0.06, momentum 0.9,
//	            weight decay 5e-4 on weights (none on biases and BN)
//	barlow      projector Linear(128,512)–BN–ReLU–Linear(512,512)–BN–ReLU–
//	            Linear(512,512), no biases, λ = 0.0051; AdamW lr 1e-3,
//	            betas (0.9, 0.999), weight decay 1e-4 on weights only
//	schedule    cosine over all steps, no warm-up: lr·(1 + cos(π·step/total))/2
//	evaluation  backbone features (128-d) in evaluation mode; weighted kNN
//	            k = 20, T = 0.1 on cosine similarity; linear probe:
//	            standardised features, multinomial logistic regression,
//	            L2 1e-4 (scikit-learn C = 1/(1e-4·n_train)), L-BFGS, 100
//	            iterations
//
// images_per_s counts training images (two views each) per second of
// training, data loading included.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gossl/gossl/sslkit/augment"
	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/eval"
	"github.com/gossl/gossl/sslkit/gemm"
	"github.com/gossl/gossl/sslkit/loss"
	"github.com/gossl/gossl/sslkit/method"
	"github.com/gossl/gossl/sslkit/nn"
	"github.com/gossl/gossl/sslkit/train"
)

// result is the JSON line this side prints; torch_side.py prints the same
// fields.
type result struct {
	Side        string  `json:"side"`
	Method      string  `json:"method"`
	KNNTop1     float64 `json:"knn_top1"`
	LinearTop1  float64 `json:"linear_top1"`
	Epochs      int     `json:"epochs"`
	ImagesPerS  float64 `json:"images_per_s"`
	TrainImages int     `json:"train_images"`
	TestImages  int     `json:"test_images"`
	FinalLoss   float64 `json:"final_loss"`
	TrainSec    float64 `json:"train_s"`
	EvalSec     float64 `json:"eval_s"`
	Backend     string  `json:"backend"`
}

func main() {
	methodName := flag.String("method", "simclr", "simclr or barlow")
	epochs := flag.Int("epochs", 4, "training epochs")
	nTrain := flag.Int("train", 4096, "training images (the first n of the training set)")
	dir := flag.String("data", data.FashionMNISTDir, "Fashion-MNIST directory (idx files, gzip or not)")
	seed := flag.Int64("seed", 1, "seed of the initial weights, the batch order and the views")
	optimizer := flag.String("optimizer", "", "diagnostics: sgd or adamw instead of the method's recipe")
	flag.IntVar(&batchSize, "batch", 256, "images per batch")
	noEval := flag.Bool("noeval", false, "diagnostics: train only (the losses), no evaluation")
	flag.BoolVar(&logGradNorms, "gradnorms", false, "diagnostics: log each step's gradient norms to stderr")
	flag.Parse()
	r, err := run(context.Background(), *methodName, *epochs, *nTrain, *dir, *seed, *optimizer, *noEval)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fmnist:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func run(ctx context.Context, methodName string, epochs, nTrain int, dir string, seed int64, optimizer string, noEval bool) (*result, error) {
	full, err := data.FashionMNIST(dir, true)
	if err != nil {
		return nil, err
	}
	test, err := data.FashionMNIST(dir, false)
	if err != nil {
		return nil, err
	}
	trainSet, err := data.First(full, nTrain)
	if err != nil {
		return nil, err
	}

	net, err := backbone.NewSmallCNN(1, 128, rand.New(rand.NewSource(seed)))
	if err != nil {
		return nil, err
	}
	m, opt, err := recipe(methodName, net, seed)
	if err != nil {
		return nil, err
	}
	switch optimizer {
	case "":
	case "sgd":
		opt.Optimizer, err = train.NewSGD(m.Params(), train.DefaultSGDOptions())
	case "adamw":
		adam := train.DefaultAdamWOptions()
		adam.LR, adam.WeightDecay = 1e-3, 1e-4
		opt.Optimizer, err = train.NewAdamW(m.Params(), adam)
	default:
		err = fmt.Errorf("unknown optimizer %q (sgd or adamw)", optimizer)
	}
	if err != nil {
		return nil, err
	}
	loader, err := data.NewLoader(trainSet, data.LoaderOptions{BatchSize: batchSize, Shuffle: true, Seed: seed, Viewer: augment.SimCLR(28)})
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	if logGradNorms {
		opt.Optimizer = normLogger{opt.Optimizer}
	}
	opt.Epochs = epochs
	opt.Schedule = train.CosineWarmup{}
	opt.Log = os.Stderr
	opt.Callbacks = []train.Stepper{&stderrProgress{every: 10, start: time.Now()}}
	tr, err := train.NewTrainer(m, loader, opt)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	fmt.Fprintf(os.Stderr, "sslkit %s: %d training images, %d epochs, gemm %s, GOMAXPROCS %d\n",
		m.Name(), trainSet.Len(), epochs, gemm.Backend(), runtime.GOMAXPROCS(0))
	t0 := time.Now()
	if err := tr.Fit(ctx); err != nil {
		return nil, err
	}
	trainSec := time.Since(t0).Seconds()
	losses := tr.Losses()
	if noEval {
		return &result{Side: "sslkit", Method: methodName, Epochs: epochs, FinalLoss: losses[len(losses)-1], TrainSec: round2(trainSec)}, nil
	}

	t1 := time.Now()
	knn, probe, err := evaluate(ctx, m.Backbone(), trainSet, test)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, knn)
	fmt.Fprintln(os.Stderr, probe)
	return &result{
		Side: "sslkit", Method: methodName, KNNTop1: round2(knn.Top1), LinearTop1: round2(probe.TestTop1),
		Epochs: epochs, ImagesPerS: round2(float64(epochs*trainSet.Len()) / trainSec),
		TrainImages: trainSet.Len(), TestImages: test.Len(), FinalLoss: losses[len(losses)-1],
		TrainSec: round2(trainSec), EvalSec: round2(time.Since(t1).Seconds()), Backend: gemm.Backend(),
	}, nil
}

// recipe builds the method and the optimizer settings of the header.
func recipe(name string, net *backbone.Net, seed int64) (method.Method, train.Options, error) {
	opt := train.DefaultOptions()
	switch name {
	case "simclr":
		o := method.DefaultSimCLROptions()
		o.ProjectorHidden, o.ProjectorOut = 128, 128
		o.Loss = loss.NTXentOptions{Temperature: 0.5}
		o.Seed = seed + 1
		m, err := method.NewSimCLR(net, o)
		if err != nil {
			return nil, opt, err
		}
		sgd := train.DefaultSGDOptions() // lr 0.06, momentum 0.9, wd 5e-4
		opt.Optimizer, err = train.NewSGD(m.Params(), sgd)
		return m, opt, err
	case "barlow":
		o := method.DefaultBarlowTwinsOptions()
		o.ProjectorHidden, o.ProjectorOut = 512, 512
		o.Seed = seed + 1
		m, err := method.NewBarlowTwins(net, o)
		if err != nil {
			return nil, opt, err
		}
		adam := train.DefaultAdamWOptions()
		adam.LR, adam.WeightDecay = 1e-3, 1e-4
		opt.Optimizer, err = train.NewAdamW(m.Params(), adam)
		return m, opt, err
	}
	return nil, opt, fmt.Errorf("unknown method %q (simclr or barlow)", name)
}

// evaluate is the protocol of the header on the frozen backbone.
func evaluate(ctx context.Context, net nn.Module, trainSet, test data.Dataset) (eval.KNNResult, *eval.ProbeResult, error) {
	ftr, err := eval.Embed(ctx, net, trainSet, eval.DefaultEmbedOptions())
	if err != nil {
		return eval.KNNResult{}, nil, err
	}
	fte, err := eval.Embed(ctx, net, test, eval.DefaultEmbedOptions())
	if err != nil {
		return eval.KNNResult{}, nil, err
	}
	knn, err := eval.KNN(ctx, ftr, fte, eval.KNN20)
	if err != nil {
		return knn, nil, err
	}
	probe, err := eval.LinearProbe(ctx, ftr, fte, eval.DefaultProbeOptions())
	return knn, probe, err
}

// stderrProgress logs the loss every few steps.
type stderrProgress struct {
	every int
	start time.Time
}

func (p *stderrProgress) Step(i, n int, metrics map[string]float64) {
	if i%p.every == 0 || i == n || i <= 3 {
		fmt.Fprintf(os.Stderr, "  step %d/%d loss %.4f lr %.4f (%.0fs)\n", i, n, metrics["loss"], metrics["lr"], time.Since(p.start).Seconds())
	}
}

var (
	logGradNorms bool
	batchSize    int
)

// normLogger logs the global gradient norm and each parameter's before
// each step, to compare the gradients' scale with
// PyTorch's (torch_side.py --gradnorms prints the same).
type normLogger struct{ train.Optimizer }

func (o normLogger) Step(lr float64, grads map[*nn.Param][]float32) error {
	var total float64
	var parts []string
	for _, g := range o.Groups() {
		for _, p := range g.Params {
			var s float64
			for _, x := range grads[p] {
				s += float64(x) * float64(x)
			}
			total += s
			parts = append(parts, fmt.Sprintf("%s %.4g", p.Name, math.Sqrt(s)))
		}
	}
	fmt.Fprintf(os.Stderr, "  grad norm %.4g (%s)\n", math.Sqrt(total), strings.Join(parts, ", "))
	return o.Optimizer.Step(lr, grads)
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
