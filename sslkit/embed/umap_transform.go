package embed

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Transform places new points on the fitted map as umap-learn does: their
// Neighbors nearest training points (exact search) give membership
// strengths (local connectivity reduced by one); each starts at the
// strength-weighted mean of its neighbours' positions and is refined by
// SGD against the fixed training layout for a third of the fit's epochs
// (100 or 30 when Epochs was Auto) at a quarter of the learning rate.
func (u *UMAP) Transform(ctx context.Context, x mat.Matrix) (*mat.Dense, error) {
	q, err := toPoints(x, "UMAP.Transform")
	if err != nil {
		return nil, err
	}
	if q.d != u.train.d {
		return nil, fmt.Errorf("embed: UMAP.Transform: %d columns, the map was fitted on %d", q.d, u.train.d)
	}
	opt := u.opt
	workers, err := resolveWorkers(opt.Workers, "UMAP.Transform")
	if err != nil {
		return nil, err
	}
	k := opt.Neighbors
	nb, err := exactKNN(ctx, q, u.train, k, false, workers)
	if err != nil {
		return nil, err
	}
	dist := make([]float64, q.n*k)
	for i, d := range nb.dist {
		dist[i] = math.Sqrt(float64(d))
	}
	sigma, rho := smoothKNN(dist, q.n, k, math.Max(0, opt.LocalConnectivity-1), workers)
	dim := opt.Components
	g := &graph{rowPtr: make([]int, q.n+1)}
	emb := make([]float32, q.n*dim)
	for i := 0; i < q.n; i++ {
		var total float64
		w := make([]float64, k)
		for t := 0; t < k; t++ {
			w[t] = membership(dist[i*k+t], sigma[i], rho[i])
			total += w[t]
		}
		for t := 0; t < k; t++ {
			j := int(nb.idx[i*k+t])
			if total > 0 {
				for c := 0; c < dim; c++ {
					emb[i*dim+c] += float32(w[t] / total * float64(u.emb[j*dim+c]))
				}
			}
			if w[t] > 0 {
				g.head = append(g.head, int32(i))
				g.tail = append(g.tail, int32(j))
				g.w = append(g.w, w[t])
			}
		}
		g.rowPtr[i+1] = len(g.head)
	}
	epochs := opt.Epochs
	if epochs == Auto {
		epochs = 30
		if u.train.n <= 10000 {
			epochs = 100
		}
	} else {
		epochs /= 3
	}
	if epochs > 0 && len(g.w) > 0 {
		g.prune(epochs)
		tail := append([]float32(nil), u.emb...)
		if err := optimizeLayout(ctx, emb, tail, g, u.train.n, dim, epochs, u.A, u.B, opt, opt.LearningRate/4, false, workers); err != nil {
			return nil, err
		}
	}
	return denseOf(q.n, dim, emb), nil
}
