package train

import "math"

// Schedule scales an optimizer's base learning rate at each step.
type Schedule interface {
	// Factor is the multiplier at step (0-based) of total steps.
	Factor(step, total int) float64
}

// Constant keeps the base learning rate.
type Constant struct{}

// Factor is 1.
func (Constant) Factor(step, total int) float64 { return 1 }

// CosineWarmup is the schedule of SimCLR, BYOL and DINO: a linear warm-up
// over the first Warmup steps, factor (step+1)/Warmup, then a half cosine
// from 1 towards Min, which it would reach at step total:
//
//	Min + (1 − Min)·(1 + cos(π·(step − Warmup)/(total − Warmup)))/2.
type CosineWarmup struct {
	Warmup int
	Min    float64
}

// Factor is the multiplier at step of total.
func (c CosineWarmup) Factor(step, total int) float64 {
	if step < c.Warmup {
		return float64(step+1) / float64(c.Warmup)
	}
	span := total - c.Warmup
	if span <= 0 {
		return 1
	}
	progress := math.Min(float64(step-c.Warmup)/float64(span), 1)
	return c.Min + (1-c.Min)*(1+math.Cos(math.Pi*progress))/2
}
