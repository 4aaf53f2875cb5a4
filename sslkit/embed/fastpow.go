package embed

import "math"

// fastPow returns x^y for x > 0 with a relative error below 1e-6: the SGD
// evaluates it twice per edge sample, and math.Pow (exact, with all its
// special cases) was three quarters of UMAP's layout time. The SGD's
// gradients are clipped and noisy; umap-learn likewise compiles its
// layout with fastmath.
func fastPow(x, y float64) float64 {
	return fastExp2(y * fastLog2(x))
}

// fastLog2: x = m·2^e with m in [√½, √2); log2(m) = (2/ln2)·atanh(t),
// t = (m−1)/(m+1), |t| < 0.172, by its odd series to t⁹.
func fastLog2(x float64) float64 {
	bits := math.Float64bits(x)
	e := int((bits>>52)&0x7ff) - 1023
	m := math.Float64frombits(bits&^(0x7ff<<52) | 1023<<52) // [1, 2)
	if m > math.Sqrt2 {
		m /= 2
		e++
	}
	t := (m - 1) / (m + 1)
	t2 := t * t
	s := t * (1 + t2*(1.0/3+t2*(1.0/5+t2*(1.0/7+t2*(1.0/9)))))
	return float64(e) + s*(2/math.Ln2)
}

// fastExp2: y = i + f with |f| ≤ ½; 2^f = e^(f·ln2) by its Taylor series
// to the 8th power; 2^i by the exponent bits.
func fastExp2(y float64) float64 {
	if y >= 1023 {
		return math.Inf(1)
	}
	if y <= -1022 {
		return 0
	}
	i := math.Floor(y + 0.5)
	f := (y - i) * math.Ln2
	p := 1 + f*(1+f*(1.0/2+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720+f*(1.0/5040+f*(1.0/40320))))))))
	return p * math.Float64frombits(uint64(int64(i)+1023)<<52)
}
