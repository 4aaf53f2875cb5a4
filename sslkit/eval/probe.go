package eval

import (
	"context"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/optimize"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/gemm"
)

// ProbeOptions choose the linear-probe recipe.
type ProbeOptions struct {
	// WeightDecay λ of the objective mean cross-entropy + λ/2·‖W‖² (the
	// biases are not penalised); default 1e-4, 0 for none.
	// scikit-learn's LogisticRegression(C) minimises the same objective
	// with C = 1/(λ·n_train).
	WeightDecay float64
	// MaxIterations bounds the L-BFGS iterations (default 100, as
	// scikit-learn's default max_iter).
	MaxIterations int
	// NoStandardize keeps the features as they are instead of centring and
	// scaling each dimension with the training mean and standard deviation.
	NoStandardize bool
}

const (
	defaultWeightDecay   = 1e-4
	defaultProbeIters    = 100
	probeGradientTol     = 1e-6 // ∞-norm of the gradient of the mean loss
	probeMemory          = 10   // L-BFGS history (scikit-learn's default)
	probeParallelMinRows = 256
)

// ProbeResult reports a trained linear probe and its protocol.
type ProbeResult struct {
	TrainTop1, TestTop1 float64 // percent
	Train, Test         int
	Classes             int
	WeightDecay         float64
	Iterations          int    // L-BFGS iterations run
	MaxIterations       int    // the bound from ProbeOptions
	Status              string // why L-BFGS stopped (gonum/optimize's status)
	Loss                float64
	Standardized        bool
	Model               *LinearClassifier
}

func (r *ProbeResult) String() string {
	std := "standardised"
	if !r.Standardized {
		std = "raw features"
	}
	return fmt.Sprintf("linear probe top-1 %.2f%% (train top-1 %.2f%%; multinomial logistic regression, L-BFGS, %d iterations (max %d), wd %g, %s, train %d, test %d, %d classes)",
		r.TestTop1, r.TrainTop1, r.Iterations, r.MaxIterations, r.WeightDecay, std, r.Train, r.Test, r.Classes)
}

// LinearClassifier is a trained probe: scores = ((x-Mean)/Std)·W + Bias.
type LinearClassifier struct {
	D, Classes int
	Mean, Std  []float64 // per-dimension standardisation (0 and 1 when off)
	W          []float64 // D×Classes, row-major
	Bias       []float64 // Classes
}

// Predict returns the highest-scoring class of every row of f (the lower
// class on ties).
func (c *LinearClassifier) Predict(f *Features) ([]int, error) {
	if err := f.check("probe predict"); err != nil {
		return nil, err
	}
	if f.D != c.D {
		return nil, fmt.Errorf("eval: probe predict: features have dimension %d, the probe %d", f.D, c.D)
	}
	x := standardize(f, c.Mean, c.Std)
	z := make([]float64, f.N*c.Classes)
	c.logits(x, f.N, z)
	out := make([]int, f.N)
	for i := range out {
		out[i] = argmax(z[i*c.Classes : (i+1)*c.Classes])
	}
	return out, nil
}

func (c *LinearClassifier) logits(x []float64, n int, z []float64) {
	logits(x, n, c.D, c.W, c.Bias, c.Classes, z)
}

// DefaultProbeOptions returns the probe recipe: weight decay 1e-4, at most
// 100 L-BFGS iterations, standardised features. Change the fields you
// need; every field is used as given.
func DefaultProbeOptions() ProbeOptions {
	return ProbeOptions{WeightDecay: defaultWeightDecay, MaxIterations: defaultProbeIters}
}

// LinearProbe trains a multinomial logistic regression on frozen train
// features and reports its top-1 accuracy on train and test. Recipe: each
// dimension is standardised with the training mean and (population)
// standard deviation; the weights start at zero and full-batch L-BFGS
// (gonum/optimize, memory 10) minimises mean cross-entropy + λ/2·‖W‖² for
// at most MaxIterations iterations or until the gradient's largest entry is
// below 1e-6. The run is deterministic: no random initialisation, and the
// parallel sums are reduced in a fixed order.
func LinearProbe(ctx context.Context, train, test *Features, opt ProbeOptions) (*ProbeResult, error) {
	ctx, stop := ambient.Join(ctx) // the calling cell's interrupt, even after it replied
	defer stop()
	gemm.Install() // blas64's matrix products in OpenBLAS where present
	if !(opt.WeightDecay >= 0) || math.IsInf(opt.WeightDecay, 0) {
		return nil, fmt.Errorf("eval: linear probe: WeightDecay %g must be ≥ 0 and finite (start from eval.DefaultProbeOptions())", opt.WeightDecay)
	}
	if opt.MaxIterations < 1 {
		return nil, fmt.Errorf("eval: linear probe: MaxIterations %d must be ≥ 1 (start from eval.DefaultProbeOptions())", opt.MaxIterations)
	}
	if err := train.checkLabelled("linear probe train"); err != nil {
		return nil, err
	}
	if err := test.checkLabelled("linear probe test"); err != nil {
		return nil, err
	}
	if train.D != test.D {
		return nil, fmt.Errorf("eval: linear probe: train has dimension %d, test %d", train.D, test.D)
	}
	n, d := train.N, train.D
	classes := max(numClasses(train.Labels), numClasses(test.Labels))
	mean, std := make([]float64, d), make([]float64, d)
	for j := range std {
		std[j] = 1
	}
	if !opt.NoStandardize {
		mean, std = columnStats(train)
	}
	x := standardize(train, mean, std)
	obj := &softmaxObjective{x: x, y: train.Labels, n: n, d: d, c: classes, lambda: opt.WeightDecay,
		z: make([]float64, n*classes)}

	var stopErr error
	problem := optimize.Problem{
		Func: func(theta []float64) float64 { return obj.eval(theta, nil) },
		Grad: func(grad, theta []float64) { obj.eval(theta, grad) },
		Status: func() (optimize.Status, error) {
			if stopErr = ambient.Err(ctx); stopErr != nil {
				return optimize.Failure, stopErr
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		MajorIterations:   opt.MaxIterations,
		GradientThreshold: probeGradientTol,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 20},
	}
	theta0 := make([]float64, d*classes+classes)
	res, err := optimize.Minimize(problem, theta0, settings, &optimize.LBFGS{Store: probeMemory})
	if stopErr != nil {
		return nil, fmt.Errorf("eval: linear probe: %w", stopErr)
	}
	if res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, fmt.Errorf("eval: linear probe: L-BFGS failed: %v", err)
	}
	// A line search that can make no more progress (err != nil) has still
	// left the best point found in res: that is the probe.
	status := res.Status.String()
	if err != nil {
		status = err.Error()
	}
	model := &LinearClassifier{D: d, Classes: classes, Mean: mean, Std: std,
		W: append([]float64(nil), res.X[:d*classes]...), Bias: append([]float64(nil), res.X[d*classes:]...)}
	out := &ProbeResult{Train: n, Test: test.N, Classes: classes, WeightDecay: opt.WeightDecay,
		Iterations: res.MajorIterations, MaxIterations: opt.MaxIterations, Status: status, Loss: res.F, Standardized: !opt.NoStandardize, Model: model}
	if out.TrainTop1, err = accuracy(model, train); err != nil {
		return nil, err
	}
	if out.TestTop1, err = accuracy(model, test); err != nil {
		return nil, err
	}
	return out, nil
}

func accuracy(m *LinearClassifier, f *Features) (float64, error) {
	pred, err := m.Predict(f)
	if err != nil {
		return 0, err
	}
	hits := 0
	for i, p := range pred {
		if p == f.Labels[i] {
			hits++
		}
	}
	return 100 * float64(hits) / float64(f.N), nil
}

// columnStats returns each dimension's mean and population standard
// deviation (as scikit-learn's StandardScaler); a constant dimension gets
// std 1 so it stays zero after centring.
func columnStats(f *Features) (mean, std []float64) {
	mean, std = make([]float64, f.D), make([]float64, f.D)
	for i := 0; i < f.N; i++ {
		for j, v := range f.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(f.N)
	}
	for i := 0; i < f.N; i++ {
		for j, v := range f.Row(i) {
			dv := float64(v) - mean[j]
			std[j] += dv * dv
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(f.N))
		if std[j] < 1e-12 {
			std[j] = 1
		}
	}
	return mean, std
}

func standardize(f *Features, mean, std []float64) []float64 {
	x := make([]float64, f.N*f.D)
	for i := 0; i < f.N; i++ {
		row := x[i*f.D : (i+1)*f.D]
		for j, v := range f.Row(i) {
			row[j] = (float64(v) - mean[j]) / std[j]
		}
	}
	return x
}

// logits sets z (n×c) to x (n×d) · w (d×c) + bias.
func logits(x []float64, n, d int, w, bias []float64, c int, z []float64) {
	for i := 0; i < n; i++ {
		copy(z[i*c:(i+1)*c], bias)
	}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas64.General{Rows: n, Cols: d, Stride: d, Data: x},
		blas64.General{Rows: d, Cols: c, Stride: c, Data: w},
		1, blas64.General{Rows: n, Cols: c, Stride: c, Data: z})
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// softmaxObjective is mean cross-entropy of softmax(xW+b) plus λ/2·‖W‖²,
// with θ = [W (d×c row-major), b (c)]. It caches the last θ, because
// gonum asks for the value and the gradient at the same point separately.
type softmaxObjective struct {
	x      []float64
	y      []int
	n, d   int
	c      int
	lambda float64
	z      []float64 // logits, then (softmax - onehot)/n

	mu       sync.Mutex
	lastX    []float64
	lastF    float64
	lastGrad []float64
}

func (o *softmaxObjective) eval(theta, grad []float64) float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lastGrad != nil && equal(theta, o.lastX) {
		if grad != nil {
			copy(grad, o.lastGrad)
		}
		return o.lastF
	}
	d, c, n := o.d, o.c, o.n
	w, b := theta[:d*c], theta[d*c:]
	logits(o.x, n, d, w, b, c, o.z)
	// Per-row softmax in parallel blocks; each block's loss is summed in
	// block order, so the result does not depend on scheduling.
	nb := workers()
	if n < probeParallelMinRows {
		nb = 1
	}
	part := make([]float64, nb)
	var wg sync.WaitGroup
	for k := 0; k < nb; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			var loss float64
			for i := k * n / nb; i < (k+1)*n/nb; i++ {
				row := o.z[i*c : (i+1)*c]
				m := row[argmax(row)]
				var s float64
				for j, v := range row {
					row[j] = math.Exp(v - m)
					s += row[j]
				}
				loss += math.Log(s) + m - (math.Log(row[o.y[i]]) + m)
				for j := range row {
					row[j] /= s * float64(n)
				}
				row[o.y[i]] -= 1 / float64(n)
			}
			part[k] = loss
		}(k)
	}
	wg.Wait()
	var loss, ww float64
	for _, p := range part {
		loss += p
	}
	for _, v := range w {
		ww += v * v
	}
	f := loss/float64(n) + o.lambda/2*ww
	if o.lastGrad == nil {
		o.lastGrad = make([]float64, len(theta))
	}
	g := o.lastGrad
	gw, gb := g[:d*c], g[d*c:]
	// dW = xᵀ·G + λW, db = Σ rows of G
	for i := range gw {
		gw[i] = o.lambda * w[i]
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: n, Cols: d, Stride: d, Data: o.x},
		blas64.General{Rows: n, Cols: c, Stride: c, Data: o.z},
		1, blas64.General{Rows: d, Cols: c, Stride: c, Data: gw})
	for j := range gb {
		gb[j] = 0
	}
	for i := 0; i < n; i++ {
		for j, v := range o.z[i*c : (i+1)*c] {
			gb[j] += v
		}
	}
	o.lastX = append(o.lastX[:0], theta...)
	o.lastF = f
	if grad != nil {
		copy(grad, g)
	}
	return f
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
