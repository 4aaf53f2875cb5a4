package show

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/embed"
	"github.com/gossl/gossl/sslkit/eval"
	"github.com/gossl/gossl/sslkit/nn"
	"gonum.org/v1/gonum/mat"
)

// Embedding methods of EmbeddingMapOptions.Method.
const (
	MethodUMAP = "umap"
	MethodTSNE = "tsne"
	MethodPCA  = "pca"
)

// EmbeddingMapOptions configure EmbeddingMap.
type EmbeddingMapOptions struct {
	Method string            // MethodUMAP, MethodTSNE or MethodPCA
	UMAP   embed.UMAPOptions // used when Method is MethodUMAP (Components must be 2)
	TSNE   embed.TSNEOptions // used when Method is MethodTSNE
	PCA    embed.PCAOptions  // used when Method is MethodPCA (Components must be 2)
	K      int               // neighbours for trustworthiness, continuity and kNN accuracy (1 ≤ K < n/2)
	// MaxThumbnails caps the images attached for hover (chosen at random,
	// seeded by the method's Seed): each costs ~0.5–3 KB in the notebook.
	// 0 attaches none.
	MaxThumbnails int
	Title         string // "" gives "<method> of <n> points"
	Progress      bool   // show a progress bar while the map is computed
}

// DefaultEmbeddingMapOptions returns UMAP with umap-learn's defaults,
// K = 10, up to 2,000 thumbnails and a progress bar.
func DefaultEmbeddingMapOptions() EmbeddingMapOptions {
	return EmbeddingMapOptions{
		Method: MethodUMAP, UMAP: embed.DefaultUMAPOptions(), TSNE: embed.DefaultTSNEOptions(),
		PCA: embed.DefaultPCAOptions(), K: 10, MaxThumbnails: 2000, Progress: true,
	}
}

// EmbeddingMap embeds features (the rows of eval.Embed for ds, in dataset
// order) in two dimensions with the chosen method and returns display's
// interactive map: points coloured by label (features.Labels, or the
// dataset's labels when those are nil), class names from the dataset when
// it has them, the dataset's images as hover thumbnails, and the map's
// trustworthiness, continuity and kNN accuracy in the title. ds may be nil
// (no thumbnails). The computation stops when ctx or the notebook cell is
// interrupted.
func EmbeddingMap(ctx context.Context, ds data.Dataset, features *eval.Features, opt EmbeddingMapOptions) (*display.EmbeddingMap, error) {
	if features == nil {
		return nil, fmt.Errorf("show.EmbeddingMap: nil features")
	}
	n, d := features.N, features.D
	if n <= 0 || d <= 0 || len(features.Data) != n*d {
		return nil, fmt.Errorf("show.EmbeddingMap: features are %d×%d with %d values", n, d, len(features.Data))
	}
	if ds != nil && ds.Len() != n {
		return nil, fmt.Errorf("show.EmbeddingMap: %d feature rows for a dataset of %d images", n, ds.Len())
	}
	if opt.K < 1 || float64(opt.K) >= float64(n)/2 {
		return nil, fmt.Errorf("show.EmbeddingMap: K is %d; want 1 ≤ K < n/2 = %v", opt.K, float64(n)/2)
	}
	if opt.MaxThumbnails < 0 {
		return nil, fmt.Errorf("show.EmbeddingMap: MaxThumbnails is %d; want ≥ 0", opt.MaxThumbnails)
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j, v := range features.Row(i) {
			x.Set(i, j, float64(v))
		}
	}
	labels := features.Labels
	if labels != nil && len(labels) != n {
		return nil, fmt.Errorf("show.EmbeddingMap: %d labels for %d feature rows", len(labels), n)
	}
	// the dataset's images (and labels when the features have none)
	var thumbs []image.Image
	var seed int64
	switch opt.Method {
	case MethodUMAP:
		seed = opt.UMAP.Seed
	case MethodTSNE:
		seed = opt.TSNE.Seed
	case MethodPCA:
		seed = opt.PCA.Seed
	default:
		return nil, fmt.Errorf("show.EmbeddingMap: Method is %q; want %q, %q or %q", opt.Method, MethodUMAP, MethodTSNE, MethodPCA)
	}
	if ds != nil && (labels == nil || opt.MaxThumbnails > 0) {
		var want map[int]bool
		if opt.MaxThumbnails > 0 {
			thumbs = make([]image.Image, n)
			want = map[int]bool{}
			for _, i := range rand.New(rand.NewSource(seed)).Perm(n)[:min(n, opt.MaxThumbnails)] {
				want[i] = true
			}
		}
		fill := labels == nil
		if fill {
			labels = make([]int, n)
		}
		for i := 0; i < n; i++ {
			if !fill && !want[i] {
				continue
			}
			img, lab, err := ds.Item(i)
			if err != nil {
				return nil, fmt.Errorf("show.EmbeddingMap: image %d: %w", i, err)
			}
			if fill {
				labels[i] = lab
			}
			if want[i] {
				ims, err := display.TensorImages(img)
				if err != nil {
					return nil, fmt.Errorf("show.EmbeddingMap: image %d: %w", i, err)
				}
				thumbs[i] = ims[0]
			}
		}
	}

	var prog *display.Progress
	if opt.Progress {
		prog = display.NewProgress(fmt.Sprintf("%s of %d points", methodName(opt.Method), n))
	}
	var emb *mat.Dense
	switch opt.Method {
	case MethodUMAP:
		o := opt.UMAP
		if o.Components != 2 {
			return nil, fmt.Errorf("show.EmbeddingMap: UMAP.Components is %d; a map needs 2", o.Components)
		}
		if prog != nil {
			o.Progress = prog
		}
		u, err := embed.FitUMAP(ctx, x, o)
		if err != nil {
			return nil, fmt.Errorf("show.EmbeddingMap: %w", err)
		}
		emb = u.Embedding
	case MethodTSNE:
		o := opt.TSNE
		if prog != nil {
			o.Progress = prog
		}
		t, err := embed.RunTSNE(ctx, x, o)
		if err != nil {
			return nil, fmt.Errorf("show.EmbeddingMap: %w", err)
		}
		emb = t.Embedding
	case MethodPCA:
		o := opt.PCA
		if o.Components != 2 {
			return nil, fmt.Errorf("show.EmbeddingMap: PCA.Components is %d; a map needs 2", o.Components)
		}
		p, err := embed.FitPCA(ctx, x, o)
		if err != nil {
			return nil, fmt.Errorf("show.EmbeddingMap: %w", err)
		}
		emb, _ = p.Transform(x)
		if prog != nil {
			prog.Step(1, 1, map[string]float64{"explained variance": p.ExplainedVarianceRatio[0] + p.ExplainedVarianceRatio[1]})
		}
	}
	if prog != nil {
		prog.Done()
	}
	q, err := embed.Evaluate(x, emb, labels, opt.K)
	if err != nil {
		return nil, fmt.Errorf("show.EmbeddingMap: %w", err)
	}
	m := display.NewEmbeddingMap(mat.Col(nil, 0, emb), mat.Col(nil, 1, emb), labels, thumbs)
	title := opt.Title
	if title == "" {
		title = fmt.Sprintf("%s of %d points", methodName(opt.Method), n)
	}
	m.Title = title + " — " + qualityText(q)
	if ds != nil {
		m.ClassNames = data.ClassNames(ds)
	}
	return m, nil
}

// EmbeddingMapOfModel computes model's features for every image of ds
// (eval.Embed with default options) and shows their EmbeddingMap.
func EmbeddingMapOfModel(ctx context.Context, model nn.Module, ds data.Dataset, opt EmbeddingMapOptions) (*display.EmbeddingMap, error) {
	if model == nil || ds == nil {
		return nil, fmt.Errorf("show.EmbeddingMapOfModel: nil model or dataset")
	}
	f, err := eval.Embed(ctx, model, ds, eval.DefaultEmbedOptions())
	if err != nil {
		return nil, fmt.Errorf("show.EmbeddingMapOfModel: %w", err)
	}
	return EmbeddingMap(ctx, ds, f, opt)
}

func methodName(m string) string {
	switch m {
	case MethodUMAP:
		return "UMAP"
	case MethodTSNE:
		return "t-SNE"
	}
	return "PCA"
}

func qualityText(q embed.Quality) string {
	s := fmt.Sprintf("trustworthiness %.3f, continuity %.3f", q.Trustworthiness, q.Continuity)
	if !math.IsNaN(q.KNNAccuracy) {
		s += fmt.Sprintf(", %d-NN accuracy %.3f", q.K, q.KNNAccuracy)
	}
	return s + fmt.Sprintf(" (k = %d)", q.K)
}
