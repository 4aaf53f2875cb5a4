package mvh

import (
	"fmt"
	"path"
	"strings"
)

// ShapeBiasResult counts the decisions on cue-conflict images (shape of one
// category, texture of another).
type ShapeBiasResult struct {
	Category    string  // shape category for per-category results; "" overall
	ShapeHits   int     // responses naming the shape category
	TextureHits int     // responses naming the texture category
	Trials      int     // cue-conflict trials counted (shape ≠ texture)
	ShapeBias   float64 // ShapeHits / (ShapeHits + TextureHits)
}

// TextureCategory returns the texture category of a cue-conflict image: the
// last '-' token of the image's final '_' token, without extension and
// digits ("0001_s5n_s01_0_bird_00_dog10-bird2.png" -> "bird").
func TextureCategory(imageName string) string {
	parts := strings.Split(imageName, "_")
	name := parts[len(parts)-1]
	name = strings.TrimSuffix(name, path.Ext(name))
	if i := strings.Index(name, "."); i >= 0 {
		name = name[:i]
	}
	toks := strings.Split(name, "-")
	last := toks[len(toks)-1]
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, last)
}

// ShapeBias computes the fraction of shape decisions among the shape or
// texture decisions on cue-conflict trials (Geirhos et al. ICLR 2019). Trials
// whose shape equals their texture carry no conflict and are dropped.
func ShapeBias(trials []Trial) (ShapeBiasResult, error) {
	var r ShapeBiasResult
	for _, t := range trials {
		texture := TextureCategory(t.ImageName)
		if texture == t.Category {
			continue
		}
		r.Trials++
		switch t.Response {
		case t.Category:
			r.ShapeHits++
		case texture:
			r.TextureHits++
		}
	}
	if r.ShapeHits+r.TextureHits == 0 {
		return r, fmt.Errorf("mvh: ShapeBias: no shape or texture decisions among %d cue-conflict trials (of %d)", r.Trials, len(trials))
	}
	r.ShapeBias = float64(r.ShapeHits) / float64(r.ShapeHits+r.TextureHits)
	return r, nil
}

// ShapeBiasByCategory computes ShapeBias for each shape category present in
// trials, in the order of Categories. A category without any shape or
// texture decision has ShapeBias -1 (undefined).
func ShapeBiasByCategory(trials []Trial) ([]ShapeBiasResult, error) {
	if len(trials) == 0 {
		return nil, fmt.Errorf("mvh: ShapeBiasByCategory: %w", errNoTrials)
	}
	groups := map[string][]Trial{}
	for _, t := range trials {
		groups[t.Category] = append(groups[t.Category], t)
	}
	var out []ShapeBiasResult
	for _, c := range Categories() {
		g, ok := groups[c]
		if !ok {
			continue
		}
		r, err := ShapeBias(g)
		if err != nil {
			r.ShapeBias = -1
		}
		r.Category = c
		out = append(out, r)
	}
	return out, nil
}

// ShapeBias computes the shape bias of subject (or HumansName, all
// participants' trials pooled) on the cue-conflict dataset.
func (d *Data) ShapeBias(subject string) (ShapeBiasResult, error) {
	trials, err := d.subjectTrials("cue-conflict", subject, nil)
	if err != nil {
		return ShapeBiasResult{}, err
	}
	return ShapeBias(trials)
}

// ShapeBiasByCategory is ShapeBiasByCategory for subject (or HumansName) on
// the cue-conflict dataset.
func (d *Data) ShapeBiasByCategory(subject string) ([]ShapeBiasResult, error) {
	trials, err := d.subjectTrials("cue-conflict", subject, nil)
	if err != nil {
		return nil, err
	}
	return ShapeBiasByCategory(trials)
}

// subjectTrials returns subject's trials on dataset in conds (all when
// empty), or an error naming what is missing.
func (d *Data) subjectTrials(dataset, subject string, conds []string) ([]Trial, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	if !ds.HasSubject(subject) {
		return nil, fmt.Errorf("mvh: dataset %s has no trials of %q (have %q and %q)", dataset, subject, HumansName, ds.Models())
	}
	trials := ds.trialsIn(subject, conds)
	if len(trials) == 0 {
		return nil, fmt.Errorf("mvh: dataset %s: %q has no trials in conditions %q", dataset, subject, conds)
	}
	return trials, nil
}
