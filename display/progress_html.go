package display

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
)

// htmlLocked draws the bar, the numbers and one small chart per metric.
// Charts are hand-made SVG (not gonum) so ten redraws a second stay cheap
// and small, each shown as an <img> of the SVG: Jupyter strips inline SVG
// from untrusted outputs (leaving its labels as run-together text), but
// keeps images.
func (p *Progress) htmlLocked() string {
	var b strings.Builder
	b.WriteString(`<div class="gossl-progress" style="font-family:sans-serif;font-size:13px">`)
	if p.title != "" {
		b.WriteString(`<b>` + escapeHTML(p.title) + `</b> `)
	}
	if f := p.fraction(); f >= 0 {
		fmt.Fprintf(&b, `<progress value="%d" max="%d" style="width:300px;vertical-align:middle"></progress> %.0f%% %d/%d`,
			p.i, p.n, 100*f, p.i, p.n)
	} else {
		fmt.Fprintf(&b, `step %d`, p.i)
	}
	for _, s := range []string{p.metricsText(), p.rateText()} {
		if s != "" {
			b.WriteString(` &nbsp; ` + escapeHTML(s))
		}
	}
	if len(p.names) > 0 {
		b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;margin-top:4px">`)
		for k, name := range p.names {
			if k == maxCurves {
				break
			}
			fmt.Fprintf(&b, `<img src="data:image/svg+xml;base64,%s" width="%g" height="%g" alt="%s curve" style="border:1px solid #ddd">`,
				base64.StdEncoding.EncodeToString([]byte(sparkSVG(name, p.steps[name], p.history[name], k))),
				sparkWidth, sparkHeight, escapeHTML(name))
		}
		b.WriteString(`</div>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// Size of a metric's curve in CSS pixels.
const sparkWidth, sparkHeight = 280.0, 130.0

// sparkSVG draws one metric against step, reduced to at most
// maxCurvePoints bucket means, with its range and last value written.
func sparkSVG(name string, steps []int, vals []float64, k int) string {
	const w, h, padL, padR, padT, padB = sparkWidth, sparkHeight, 44.0, 8.0, 18.0, 18.0
	xs, ys := bucketMeans(steps, vals, maxCurvePoints)
	lo, hi, n := finiteRange(ys)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" style="background:#fff">`, w, h, w, h)
	last := vals[len(vals)-1]
	fmt.Fprintf(&b, `<text x="%g" y="13" font-size="12" font-family="sans-serif">%s %.4g</text>`, padL, escapeHTML(name), last)
	if n == 0 {
		b.WriteString(`</svg>`)
		return b.String()
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	x0, x1 := xs[0], xs[len(xs)-1]
	if x1 == x0 {
		x1 = x0 + 1
	}
	px := func(x float64) float64 { return padL + (x-x0)/(x1-x0)*(w-padL-padR) }
	py := func(y float64) float64 { return h - padB - (y-lo)/(hi-lo)*(h-padT-padB) }
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>`, padL, h-padB, w-padR, h-padB)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>`, padL, padT, padL, h-padB)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10" text-anchor="end" font-family="sans-serif">%.3g</text>`, padL-3, padT+8, hi)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10" text-anchor="end" font-family="sans-serif">%.3g</text>`, padL-3, h-padB, lo)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10" font-family="sans-serif">%g</text>`, padL, h-4, x0)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10" text-anchor="end" font-family="sans-serif">%g</text>`, w-padR, h-4, x1)
	fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="`, cssColor(labelColor(k)))
	for i := range xs {
		if math.IsNaN(ys[i]) || math.IsInf(ys[i], 0) {
			continue
		}
		fmt.Fprintf(&b, "%.1f,%.1f ", px(xs[i]), py(ys[i]))
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

// bucketMeans reduces (x, y) pairs to at most limit points by averaging
// equal runs, so a 100 000-step history draws as fast as a short one.
func bucketMeans(steps []int, vals []float64, limit int) (xs, ys []float64) {
	n := len(vals)
	size := (n + limit - 1) / limit
	for s := 0; s < n; s += size {
		e := s + size
		if e > n {
			e = n
		}
		sx, sy, k := 0.0, 0.0, 0
		for i := s; i < e; i++ {
			if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
				continue
			}
			sx += float64(steps[i])
			sy += vals[i]
			k++
		}
		if k == 0 {
			xs = append(xs, float64(steps[s]))
			ys = append(ys, math.NaN())
			continue
		}
		xs = append(xs, sx/float64(k))
		ys = append(ys, sy/float64(k))
	}
	return xs, ys
}
