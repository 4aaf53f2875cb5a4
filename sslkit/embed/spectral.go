package embed

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/gossl/gossl/sslkit/ambient"
)

// umapInit returns the initial layout (n×dim, row-major) and the name of
// the method used.
//
// Spectral: the eigenvectors of the normalised Laplacian I − D^-½ A D^-½
// with the smallest non-zero eigenvalues, per connected component. When
// the graph has several components (well-separated clusters do), each is
// laid out on its own and placed around a meta-layout as umap-learn's
// multi_component_layout does (±unit vectors for up to 2·dim components;
// beyond that, this package uses the PCA of the component centroids,
// where umap-learn uses a spectral embedding of them).
func umapInit(ctx context.Context, pts points, g *graph, opt UMAPOptions, rng *rand.Rand) ([]float64, string, error) {
	n, dim := pts.n, opt.Components
	switch opt.Init {
	case InitRandom:
		out := make([]float64, n*dim)
		for i := range out {
			out[i] = 10 * rng.Float64()
		}
		return out, InitRandom, nil
	case InitPCA:
		out, err := pcaInit(ctx, pts, dim, opt.Seed)
		return out, InitPCA, err
	}
	labels, nComp := components(g, n)
	out := make([]float64, n*dim)
	if nComp == 1 {
		ev, err := spectralVectors(ctx, g, nil, dim, rng)
		if err != nil {
			return nil, "", err
		}
		copy(out, ev)
		return out, InitSpectral, nil
	}
	// meta layout of the components
	meta := make([][]float64, nComp)
	if nComp <= 2*dim {
		kk := (nComp + 1) / 2
		for c := range meta {
			meta[c] = make([]float64, dim)
			if c < kk {
				meta[c][c] = 1
			} else {
				meta[c][c-kk] = -1
			}
		}
	} else {
		cent := mat.NewDense(nComp, pts.d, nil)
		counts := make([]float64, nComp)
		for i := 0; i < n; i++ {
			c := labels[i]
			counts[c]++
			for j, v := range pts.row(i) {
				cent.Set(c, j, cent.At(c, j)+float64(v))
			}
		}
		for c := 0; c < nComp; c++ {
			for j := 0; j < pts.d; j++ {
				cent.Set(c, j, cent.At(c, j)/counts[c])
			}
		}
		pc := min(dim, min(nComp, pts.d))
		p, err := FitPCA(ctx, cent, PCAOptions{Components: pc, Solver: PCAExact})
		if err != nil {
			return nil, "", err
		}
		proj, _ := p.Transform(cent)
		var big float64
		for c := 0; c < nComp; c++ {
			for j := 0; j < pc; j++ {
				big = math.Max(big, math.Abs(proj.At(c, j)))
			}
		}
		if big == 0 {
			big = 1
		}
		for c := range meta {
			meta[c] = make([]float64, dim)
			for j := 0; j < pc; j++ {
				meta[c][j] = proj.At(c, j) / big
			}
		}
	}
	members := make([][]int32, nComp)
	for i, c := range labels {
		members[c] = append(members[c], int32(i))
	}
	for c, mem := range members {
		if err := ambient.Err(ctx); err != nil {
			return nil, "", err
		}
		// half the distance to the nearest other component centre
		rangeC := math.Inf(1)
		for o := range meta {
			var d2 float64
			for j := range meta[o] {
				t := meta[o][j] - meta[c][j]
				d2 += t * t
			}
			if d2 > 0 {
				rangeC = math.Min(rangeC, math.Sqrt(d2)/2)
			}
		}
		if math.IsInf(rangeC, 1) {
			rangeC = 1
		}
		m := len(mem)
		if m < 2*dim || m <= dim+1 {
			for _, i := range mem {
				for j := 0; j < dim; j++ {
					out[int(i)*dim+j] = rng.Float64()*2*rangeC - rangeC + meta[c][j]
				}
			}
			continue
		}
		ev, err := spectralVectors(ctx, g, mem, dim, rng)
		if err != nil {
			return nil, "", err
		}
		var big float64
		for _, v := range ev {
			big = math.Max(big, math.Abs(v))
		}
		if big == 0 {
			big = 1
		}
		for t, i := range mem {
			for j := 0; j < dim; j++ {
				out[int(i)*dim+j] = ev[t*dim+j]*rangeC/big + meta[c][j]
			}
		}
	}
	return out, fmt.Sprintf("%s (%d components)", InitSpectral, nComp), nil
}

func pcaInit(ctx context.Context, pts points, dim int, seed int64) ([]float64, error) {
	x := denseOf(pts.n, pts.d, pts.v)
	dim2 := min(dim, pts.d)
	p, err := FitPCA(ctx, x, PCAOptions{Components: dim2, Solver: PCAAuto, Oversample: 10, PowerIters: 4, Seed: seed})
	if err != nil {
		return nil, err
	}
	proj, _ := p.Transform(x)
	out := make([]float64, pts.n*dim)
	for i := 0; i < pts.n; i++ {
		for j := 0; j < dim2; j++ {
			out[i*dim+j] = proj.At(i, j)
		}
	}
	return out, nil
}

// components labels the connected components of g (union–find).
func components(g *graph, n int) ([]int, int) {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for e := range g.head {
		a, b := find(int(g.head[e])), find(int(g.tail[e]))
		if a != b {
			parent[a] = b
		}
	}
	labels := make([]int, n)
	ids := map[int]int{}
	for i := range labels {
		r := find(i)
		id, ok := ids[r]
		if !ok {
			id = len(ids)
			ids[r] = id
		}
		labels[i] = id
	}
	return labels, len(ids)
}

// spectralVectors returns, for the subgraph on mem (all points when nil),
// the dim eigenvectors of the normalised Laplacian after the trivial one,
// as a len(mem)×dim row-major array. It runs block subspace iteration on
// (I + D^-½ A D^-½)/2 with the trivial eigenvector D^½·1 projected out and
// a Rayleigh–Ritz step every few iterations, until the Ritz values settle
// (tolerance 1e-4, as umap-learn gives eigsh) or an iteration cap: an
// initial layout needs the leading directions, not digits.
func spectralVectors(ctx context.Context, g *graph, mem []int32, dim int, rng *rand.Rand) ([]float64, error) {
	// local indexing
	var local []int32
	m := len(g.rowPtr) - 1
	if mem != nil {
		local = make([]int32, m)
		for i := range local {
			local[i] = -1
		}
		for t, i := range mem {
			local[i] = int32(t)
		}
		m = len(mem)
	}
	glob := func(t int) int {
		if mem == nil {
			return t
		}
		return int(mem[t])
	}
	deg := make([]float64, m)
	for t := 0; t < m; t++ {
		i := glob(t)
		for e := g.rowPtr[i]; e < g.rowPtr[i+1]; e++ {
			deg[t] += g.w[e]
		}
	}
	isq := make([]float64, m)
	triv := make([]float64, m)
	var tn float64
	for t, d := range deg {
		if d > 0 {
			isq[t] = 1 / math.Sqrt(d)
		}
		triv[t] = math.Sqrt(d)
		tn += d
	}
	tn = math.Sqrt(tn)
	for t := range triv {
		triv[t] /= tn
	}
	apply := func(dst, src []float64) { // dst = (src + D^-½ A D^-½ src)/2
		for t := 0; t < m; t++ {
			i := glob(t)
			var s float64
			for e := g.rowPtr[i]; e < g.rowPtr[i+1]; e++ {
				j := int(g.tail[e])
				if local != nil {
					j = int(local[j])
				}
				s += g.w[e] * isq[j] * src[j]
			}
			dst[t] = 0.5 * (src[t] + isq[t]*s)
		}
	}
	b := dim + 4 // extra vectors speed convergence of the wanted ones
	if b > m-1 {
		b = m - 1
	}
	V := make([][]float64, b)
	for c := range V {
		V[c] = make([]float64, m)
		for t := range V[c] {
			V[c][t] = rng.NormFloat64()
		}
	}
	orth := func() {
		for c := range V {
			for pass := 0; pass < 2; pass++ {
				project(V[c], triv)
				for p := 0; p < c; p++ {
					project(V[c], V[p])
				}
			}
			normalize(V[c])
		}
	}
	orth()
	W := make([][]float64, b)
	for c := range W {
		W[c] = make([]float64, m)
	}
	maxIter := 2000
	prev := make([]float64, b)
	var vals []float64
	for it := 1; it <= maxIter; it++ {
		for c := range V {
			apply(W[c], V[c])
		}
		V, W = W, V
		orth()
		if it%10 != 0 && it != maxIter {
			continue
		}
		if err := ambient.Err(ctx); err != nil {
			return nil, err
		}
		// Rayleigh–Ritz on span(V)
		for c := range V {
			apply(W[c], V[c])
		}
		H := mat.NewSymDense(b, nil)
		for r := 0; r < b; r++ {
			for c := r; c < b; c++ {
				H.SetSym(r, c, dot(V[r], W[c]))
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(H, true) {
			break
		}
		vals = eig.Values(nil)
		var U mat.Dense
		eig.VectorsTo(&U)
		order := make([]int, b)
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(x, y int) bool { return vals[order[x]] > vals[order[y]] })
		rot := make([][]float64, b)
		for c := range rot {
			rot[c] = make([]float64, m)
			for r := 0; r < b; r++ {
				if u := U.At(r, order[c]); u != 0 {
					axpy(rot[c], u, V[r])
				}
			}
		}
		V = rot
		done := true
		for c := 0; c < dim; c++ {
			v := vals[order[c]]
			if math.Abs(v-prev[c]) > 1e-4*0.5 {
				done = false
			}
			prev[c] = v
		}
		if done {
			break
		}
	}
	out := make([]float64, m*dim)
	for t := 0; t < m; t++ {
		for c := 0; c < dim; c++ {
			out[t*dim+c] = V[c][t]
		}
	}
	return out, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(dst []float64, a float64, x []float64) {
	for i := range dst {
		dst[i] += a * x[i]
	}
}

func project(v, u []float64) { axpy(v, -dot(v, u), u) }

func normalize(v []float64) {
	n := math.Sqrt(dot(v, v))
	if n > 0 {
		for i := range v {
			v[i] /= n
		}
	}
}
