package embed

import (
	"fmt"
	"runtime"

	"github.com/gossl/gossl/sslkit/gemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"
)

// Quality gathers the measures shown beside a map.
type Quality struct {
	K               int     // neighbourhood size used
	Trustworthiness float64 // are the map's neighbours true neighbours? (1 is best)
	Continuity      float64 // are true neighbours kept as neighbours in the map? (1 is best)
	KNNAccuracy     float64 // leave-one-out k-NN label accuracy in the map; NaN without labels
}

// Evaluate computes trustworthiness and continuity of the map low of the
// points high with k neighbours, and the k-NN accuracy of labels in low
// (skipped, NaN, when labels is nil).
func Evaluate(high, low mat.Matrix, labels []int, k int) (Quality, error) {
	q := Quality{K: k, KNNAccuracy: nanValue()}
	var err error
	if q.Trustworthiness, err = Trustworthiness(high, low, k); err != nil {
		return q, err
	}
	if q.Continuity, err = Continuity(high, low, k); err != nil {
		return q, err
	}
	if labels != nil {
		if q.KNNAccuracy, err = KNNAccuracy(low, labels, k); err != nil {
			return q, err
		}
	}
	return q, nil
}

// Trustworthiness is scikit-learn's sklearn.manifold.trustworthiness with
// the Euclidean metric: 1 − 2/(n·k·(2n−3k−1)) · Σᵢ Σ_{j ∈ Uᵢ} (r(i,j) − k),
// where Uᵢ are the k nearest neighbours of i in low that are not among its
// k nearest in high, and r(i,j) is j's rank by distance from i in high
// (1 for the nearest). k must be below n/2.
func Trustworthiness(high, low mat.Matrix, k int) (float64, error) {
	return trust(high, low, k, "Trustworthiness")
}

// Continuity is trustworthiness with the roles of the spaces swapped: it
// penalises true neighbours (in high) that the map (low) pushes away,
// by their rank in the map.
func Continuity(high, low mat.Matrix, k int) (float64, error) {
	return trust(low, high, k, "Continuity")
}

func trust(rankSpace, nbrSpace mat.Matrix, k int, what string) (float64, error) {
	if rankSpace == nil || nbrSpace == nil {
		return 0, fmt.Errorf("embed: %s: nil matrix", what)
	}
	n, _ := rankSpace.Dims()
	n2, _ := nbrSpace.Dims()
	if n != n2 {
		return 0, fmt.Errorf("embed: %s: %d points in one space, %d in the other", what, n, n2)
	}
	if k < 1 || float64(k) >= float64(n)/2 {
		return 0, fmt.Errorf("embed: %s: k is %d; want 1 ≤ k < n/2 = %v", what, k, float64(n)/2)
	}
	nbrs, err := knn64(nbrSpace, k, what)
	if err != nil {
		return 0, err
	}
	var sum float64
	sums := make([]float64, n)
	err = forDistanceRows(rankSpace, what, func(i int, dist []float64) {
		dist[i] = inf
		var s float64
		for _, j := range nbrs[i*k : (i+1)*k] {
			dj := dist[j]
			// rank = 1 + points strictly closer (+ equal ones with a
			// lower index, a fixed tie order).
			r := 1
			for l, dl := range dist {
				if dl < dj || (dl == dj && l < j) {
					r++
				}
			}
			if r > k {
				s += float64(r - k)
			}
		}
		sums[i] = s
	})
	if err != nil {
		return 0, err
	}
	for _, s := range sums {
		sum += s
	}
	fn, fk := float64(n), float64(k)
	return 1 - sum*(2/(fn*fk*(2*fn-3*fk-1))), nil
}

// KNNAccuracy is the leave-one-out accuracy of a k-nearest-neighbour
// majority vote of labels in the space x (ties go to the class whose
// voters are nearest in total rank).
func KNNAccuracy(x mat.Matrix, labels []int, k int) (float64, error) {
	if x == nil {
		return 0, fmt.Errorf("embed: KNNAccuracy: nil matrix")
	}
	n, _ := x.Dims()
	if len(labels) != n {
		return 0, fmt.Errorf("embed: KNNAccuracy: %d labels for %d points", len(labels), n)
	}
	if k < 1 || k >= n {
		return 0, fmt.Errorf("embed: KNNAccuracy: k is %d; want 1 ≤ k < n = %d", k, n)
	}
	nbrs, err := knn64(x, k, "KNNAccuracy")
	if err != nil {
		return 0, err
	}
	correct := 0
	votes := map[int]int{}
	rankSum := map[int]int{}
	for i := 0; i < n; i++ {
		clear(votes)
		clear(rankSum)
		for r, j := range nbrs[i*k : (i+1)*k] {
			votes[labels[j]]++
			rankSum[labels[j]] += r
		}
		best, bestVotes, bestRank := 0, -1, 0
		for c, v := range votes {
			if v > bestVotes || (v == bestVotes && (rankSum[c] < bestRank || rankSum[c] == bestRank && c < best)) {
				best, bestVotes, bestRank = c, v, rankSum[c]
			}
		}
		if best == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
}

// knn64 finds k nearest neighbours (self excluded, nearest first, ties by
// index) with float64 distances.
func knn64(x mat.Matrix, k int, what string) ([]int, error) {
	n, _ := x.Dims()
	out := make([]int, n*k)
	err := forDistanceRows(x, what, func(i int, dist []float64) {
		dist[i] = inf
		// insertion into a sorted list of the k best (k is small)
		best := out[i*k : (i+1)*k]
		bd := make([]float64, 0, k)
		for j, dj := range dist {
			if j == i || (len(bd) == k && dj >= bd[k-1]) {
				continue
			}
			p := len(bd)
			if p < k {
				bd = append(bd, 0)
			} else {
				p = k - 1
			}
			for p > 0 && bd[p-1] > dj {
				bd[p] = bd[p-1]
				best[p] = best[p-1]
				p--
			}
			bd[p] = dj
			best[p] = j
		}
	})
	return out, err
}

var inf = func() float64 { var z float64; return 1 / z }()

func nanValue() float64 { var z float64; return z / z }

// forDistanceRows calls fn(i, squared distances from row i to every row)
// for each row, in parallel; fn may modify dist.
func forDistanceRows(x mat.Matrix, what string, fn func(i int, dist []float64)) error {
	n, d := x.Dims()
	data := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := x.At(i, j)
			if v != v || v-v != 0 {
				return fmt.Errorf("embed: %s: row %d column %d is %v; values must be finite", what, i, j, v)
			}
			data[i*d+j] = v
		}
	}
	norms := make([]float64, n)
	for i := range norms {
		var s float64
		for _, v := range data[i*d : (i+1)*d] {
			s += v * v
		}
		norms[i] = s
	}
	// one GEMM at a time (OpenBLAS threads itself), rows in parallel
	block := max(16, min(512, (4<<20)/n))
	g := make([]float64, block*n)
	impl := gemm.Implementation()
	for r0 := 0; r0 < n; r0 += block {
		r1 := min(r0+block, n)
		m := r1 - r0
		impl.Dgemm(blas.NoTrans, blas.Trans, m, n, d, 1, data[r0*d:r1*d], d, data, d, 0, g[:m*n], n)
		parallelFor(runtime.GOMAXPROCS(0), m, 4, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				i := r0 + r
				row := g[r*n : (r+1)*n]
				for j := range row {
					v := norms[i] + norms[j] - 2*row[j]
					if v < 0 {
						v = 0
					}
					row[j] = v
				}
				fn(i, row)
			}
		})
	}
	return nil
}
