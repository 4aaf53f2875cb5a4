package loss

import (
	"github.com/gossl/gossl/sslkit/nn/ops"
	G "gorgonia.org/gorgonia"
)

// cosineRows returns the N-vector of cosine similarities between the rows
// of p and the rows of StopGradient(z) (when detach) or z.
func cosineRows(p, z *G.Node, detach bool) *G.Node {
	if detach {
		z = m(ops.StopGradient(z))
	}
	pn := m(ops.L2Normalize(p, 1, ops.DefaultNormEps))
	zn := m(ops.L2Normalize(z, 1, ops.DefaultNormEps))
	return m(G.Sum(m(G.HadamardProd(pn, zn)), 1))
}

// NegativeCosine is SimSiam's D(p, z) = −mean_i cos(p_i, stopgrad(z_i)) for
// predictions p and target projections z (N×D). No gradient reaches z.
func NegativeCosine(p, z *G.Node) (*G.Node, error) {
	if err := checkPair("NegativeCosine", p, z); err != nil {
		return nil, err
	}
	return build("NegativeCosine", func() *G.Node {
		return m(G.Neg(m(G.Mean(cosineRows(p, z, true)))))
	})
}

// SimSiam is the symmetrised SimSiam loss D(p1, z2)/2 + D(p2, z1)/2.
func SimSiam(p1, p2, z1, z2 *G.Node) (*G.Node, error) {
	a, err := NegativeCosine(p1, z2)
	if err != nil {
		return nil, err
	}
	b, err := NegativeCosine(p2, z1)
	if err != nil {
		return nil, err
	}
	return build("SimSiam", func() *G.Node { return m(scale(m(G.Add(a, b)), 0.5)) })
}

// BYOL is BYOL's regression loss mean_i ‖p̄_i − z̄_i‖² = mean_i (2 − 2 cos(p_i, z_i))
// for online predictions p and target projections z (N×D), z detached.
func BYOL(p, z *G.Node) (*G.Node, error) {
	if err := checkPair("BYOL", p, z); err != nil {
		return nil, err
	}
	return build("BYOL", func() *G.Node {
		return m(addConst(m(scale(m(G.Mean(cosineRows(p, z, true))), -2)), 2))
	})
}

// BYOLSymmetric is BYOL(p1, z2) + BYOL(p2, z1), the loss BYOL optimises
// (both view orders, summed).
func BYOLSymmetric(p1, p2, z1, z2 *G.Node) (*G.Node, error) {
	a, err := BYOL(p1, z2)
	if err != nil {
		return nil, err
	}
	b, err := BYOL(p2, z1)
	if err != nil {
		return nil, err
	}
	return build("BYOLSymmetric", func() *G.Node { return m(G.Add(a, b)) })
}
