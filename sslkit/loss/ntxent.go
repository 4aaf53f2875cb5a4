package loss

import (
	"fmt"
	"math"

	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// NTXentOptions configures NTXent. Start from DefaultNTXentOptions and
// change the fields you need; every field is used as given.
type NTXentOptions struct {
	// Temperature τ > 0. Default 0.1, SimCLR's ImageNet setting (paper
	// Table 5 / google-research/simclr's flag default); SimCLR's CIFAR-10
	// recipe uses 0.5, and so does lightly's NTXentLoss default — set 0.5
	// when porting lightly code.
	Temperature float64
}

// DefaultNTXentOptions returns SimCLR's settings: τ = 0.1 (lightly's
// NTXentLoss defaults to 0.5).
func DefaultNTXentOptions() NTXentOptions { return NTXentOptions{Temperature: 0.1} }

// NTXent is SimCLR's normalised temperature-scaled cross-entropy. z1 and z2
// (N×D) are the projections of two views of the same N images. Both are
// L2-normalised; each of the 2N samples is an anchor whose positive is its
// other view and whose negatives are the other 2N−2 samples:
//
//	ℓ_i = −log exp(s_{i,p(i)}/τ) / Σ_{k≠i} exp(s_{i,k}/τ),  loss = mean_i ℓ_i
//
// with s the cosine similarity. The default τ is 0.1 (SimCLR ImageNet),
// not lightly's 0.5: see DefaultNTXentOptions.
func NTXent(z1, z2 *G.Node, opt NTXentOptions) (*G.Node, error) {
	if err := checkPair("NTXent", z1, z2); err != nil {
		return nil, err
	}
	tau := opt.Temperature
	if err := positive("NTXent", "Temperature", "DefaultNTXentOptions", tau); err != nil {
		return nil, err
	}
	n := z1.Shape()[0]
	labels := make([]int, 2*n)
	for i := 0; i < n; i++ {
		labels[i], labels[n+i] = n+i, i
	}
	return build("NTXent", func() *G.Node {
		z := m(ops.Concat(0, z1, z2))
		// Scaling the normalised 2N×D embeddings by 1/√τ (in the same
		// pass) gives Gram = cos/τ without a pass over the 2N×2N matrix;
		// the cross-entropy skips the diagonal instead of masking a copy.
		z = m(ops.ScaledL2Normalize(z, 1, ops.DefaultNormEps, 1/math.Sqrt(tau)))
		sim := m(ops.Gram(z))
		y := ops.Labels(z1.Graph(), fmt.Sprintf("ntxent_labels_%d", n), labels)
		return m(ops.CrossEntropyOffDiagonal(sim, y))
	})
}
