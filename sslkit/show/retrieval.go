package show

import (
	"context"
	"fmt"
	"image"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/eval"
)

// RetrievalOptions choose what Retrieval shows.
type RetrievalOptions struct {
	// K is the number of neighbours per query (0 means 8).
	K int
	// Queries are the rows of the query set to show (nil means the first
	// five).
	Queries []int
	// ExcludeSelf skips a neighbour with the query's own index: set it
	// when the query set is the gallery, so an image is not its own
	// nearest neighbour.
	ExcludeSelf bool
}

// Retrieval finds, by cosine similarity of their features, the nearest
// gallery images of some query images (eval.NearestNeighbours) and returns
// a grid with one row per query: the query, captioned with its index and
// class, then its K neighbours, nearest first, each captioned with its
// similarity and class. Class names come from the gallery dataset when it
// has a Classes() []string method. galleryFeatures and queryFeatures are
// the rows of eval.Embed for gallery and queries, in dataset order.
func Retrieval(ctx context.Context, gallery data.Dataset, galleryFeatures *eval.Features, queries data.Dataset, queryFeatures *eval.Features, opt RetrievalOptions) (*display.Grid, error) {
	if gallery == nil || queries == nil || galleryFeatures == nil || queryFeatures == nil {
		return nil, fmt.Errorf("show.Retrieval: nil dataset or features")
	}
	if opt.K == 0 {
		opt.K = 8
	}
	if opt.K < 0 {
		return nil, fmt.Errorf("show.Retrieval: K must be positive, got %d", opt.K)
	}
	if gallery.Len() != galleryFeatures.N || queries.Len() != queryFeatures.N {
		return nil, fmt.Errorf("show.Retrieval: %d gallery images for %d feature rows, %d queries for %d rows",
			gallery.Len(), galleryFeatures.N, queries.Len(), queryFeatures.N)
	}
	which := opt.Queries
	if which == nil {
		for i := 0; i < min(5, queryFeatures.N); i++ {
			which = append(which, i)
		}
	}
	if len(which) == 0 {
		return nil, fmt.Errorf("show.Retrieval: no queries")
	}
	sel := &eval.Features{N: len(which), D: queryFeatures.D, Data: make([]float32, 0, len(which)*queryFeatures.D)}
	for _, q := range which {
		if q < 0 || q >= queryFeatures.N {
			return nil, fmt.Errorf("show.Retrieval: query %d out of range [0, %d)", q, queryFeatures.N)
		}
		sel.Data = append(sel.Data, queryFeatures.Row(q)...)
	}
	k := opt.K
	if opt.ExcludeSelf {
		k++
	}
	nb, err := eval.NearestNeighbours(ctx, galleryFeatures, sel, k)
	if err != nil {
		return nil, fmt.Errorf("show.Retrieval: %w", err)
	}
	classes := classNames(gallery)
	caption := func(prefix string, label int) string {
		if label >= 0 && label < len(classes) {
			return prefix + " " + classes[label]
		}
		return fmt.Sprintf("%s y=%d", prefix, label)
	}
	// Each row shows the same number of neighbours: with ExcludeSelf a
	// query may or may not meet itself among its k candidates.
	rows := make([][]int, len(which)) // positions in nb.Indices[r]
	shown := opt.K
	for r, q := range which {
		for j, g := range nb.Indices[r] {
			if len(rows[r]) < opt.K && !(opt.ExcludeSelf && g == q) {
				rows[r] = append(rows[r], j)
			}
		}
		shown = min(shown, len(rows[r]))
	}
	var (
		images   []image.Image
		captions []string
	)
	for r, q := range which {
		img, label, err := queries.Item(q)
		if err != nil {
			return nil, fmt.Errorf("show.Retrieval: query %d: %w", q, err)
		}
		im, err := tensorImage(img)
		if err != nil {
			return nil, fmt.Errorf("show.Retrieval: query %d: %w", q, err)
		}
		images = append(images, im)
		captions = append(captions, caption(fmt.Sprintf("q#%d", q), label))
		for _, j := range rows[r][:shown] {
			g := nb.Indices[r][j]
			img, label, err := gallery.Item(g)
			if err != nil {
				return nil, fmt.Errorf("show.Retrieval: gallery image %d: %w", g, err)
			}
			im, err := tensorImage(img)
			if err != nil {
				return nil, fmt.Errorf("show.Retrieval: gallery image %d: %w", g, err)
			}
			images = append(images, im)
			captions = append(captions, caption(fmt.Sprintf("%.2f", nb.Similarities[r][j]), label))
		}
	}
	g := display.ImageGrid(images, 1+shown, captions)
	return g, g.Err()
}
