package display

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stepper is what a long-running loop reports to after each step. sslkit
// declares the same one-method interface in its own package (it must not
// import display), and *Progress satisfies both:
//
//	type Stepper interface {
//		Step(i, n int, metrics map[string]float64)
//	}
//
// i counts the steps done so far (1 … n); n is the total, or ≤ 0 when
// unknown; metrics holds this step's values by name ("loss", "lr", …).
// Implementations must be cheap: Step is called in the training loop.
type Stepper interface {
	Step(i, n int, metrics map[string]float64)
}

var _ Stepper = (*Progress)(nil)

// Update rates: a display is replaced at most every minUpdateInterval
// (10 per second), and the plain-text fallback prints a line at most every
// textInterval so logs stay readable.
const (
	minUpdateInterval = 100 * time.Millisecond
	textInterval      = time.Second
	maxCurvePoints    = 300
	maxCurves         = 4
)

// Progress shows a progress bar and curves of the reported metrics in one
// output that is updated in place while a loop runs. Steps arrive as fast
// as the loop likes; the display is redrawn at most 10 times a second, and
// the last state is always shown by Done or the final step. Without a
// frontend it prints a text line at most once a second.
type Progress struct {
	mu      sync.Mutex
	title   string
	display *Display
	i, n    int
	names   []string             // metric names, sorted
	history map[string][]float64 // metric values, one per step reported
	steps   map[string][]int     // the step number of each value
	start   time.Time
	shown   time.Time // when the display was last updated
	printed time.Time // when the last text line was printed
	pending bool      // a step arrived since the last update
	now     func() time.Time
	sleep   func(time.Duration)
}

// NewProgress returns a progress display titled title; nothing is shown
// until the first Step.
func NewProgress(title string) *Progress {
	return &Progress{
		title:   title,
		display: New(),
		history: map[string][]float64{},
		steps:   map[string][]int{},
		now:     time.Now,
		sleep:   time.Sleep,
	}
}

// Step records step i of n with its metrics and redraws if the last
// redraw was long enough ago. The final step (i == n) is always drawn,
// waiting out the rest of the interval if needed.
func (p *Progress) Step(i, n int, metrics map[string]float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	p.i, p.n = i, n
	for name, v := range metrics {
		if _, ok := p.history[name]; !ok {
			p.names = append(p.names, name)
			sort.Strings(p.names)
		}
		p.history[name] = append(p.history[name], v)
		p.steps[name] = append(p.steps[name], i)
	}
	p.pending = true
	if n > 0 && i >= n {
		p.flushLocked(true)
		return
	}
	p.flushLocked(false)
}

// Done draws the final state (the loop may have stopped early or between
// redraws). Later Steps start updating again.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		return // nothing was ever reported
	}
	p.pending = true
	p.flushLocked(true)
}

// flushLocked redraws if a step is pending and the interval has passed;
// with wait it sleeps until the interval has passed instead of skipping.
func (p *Progress) flushLocked(wait bool) {
	if !p.pending {
		return
	}
	if CurrentPublisher() == nil {
		p.printLocked(wait)
		return
	}
	now := p.now()
	if !p.shown.IsZero() {
		if gap := now.Sub(p.shown); gap < minUpdateInterval {
			if !wait {
				return
			}
			p.sleep(minUpdateInterval - gap)
		}
	}
	p.pending = false
	_ = p.display.Update(p.bundleLocked()) // a failed update must not stop training
	// The interval counts from when the update was handed over, so the
	// messages themselves, not just the calls, are 100 ms apart even if
	// sending was slow.
	p.shown = p.now()
}

// printLocked is the no-frontend fallback: one text line per interval.
func (p *Progress) printLocked(final bool) {
	now := p.now()
	if !final && !p.printed.IsZero() && now.Sub(p.printed) < textInterval {
		return
	}
	p.printed = now
	p.pending = false
	_, _ = io.WriteString(stdout(), p.textLocked()+"\n")
}

// Render returns the current state, so a Progress left as a cell's value
// shows itself.
func (p *Progress) Render() Bundle {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bundleLocked()
}

func (p *Progress) bundleLocked() Bundle {
	return Bundle{Data: map[string]any{
		"text/plain": p.textLocked(),
		"text/html":  p.htmlLocked(),
	}}
}

// fraction is the share of steps done, or -1 when the total is unknown.
func (p *Progress) fraction() float64 {
	if p.n <= 0 {
		return -1
	}
	return math.Max(0, math.Min(1, float64(p.i)/float64(p.n)))
}

func (p *Progress) elapsed() time.Duration {
	if p.start.IsZero() {
		return 0
	}
	return p.now().Sub(p.start)
}

// rateText gives steps per second and the time left.
func (p *Progress) rateText() string {
	el := p.elapsed().Seconds()
	if el <= 0 || p.i <= 0 {
		return ""
	}
	rate := float64(p.i) / el
	s := fmt.Sprintf("%.3g it/s", rate)
	if p.n > 0 && p.i < p.n {
		left := time.Duration(float64(p.n-p.i) / rate * float64(time.Second))
		s += "  eta " + clock(left)
	} else {
		s += "  " + clock(p.elapsed())
	}
	return s
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func (p *Progress) metricsText() string {
	var parts []string
	for _, name := range p.names {
		h := p.history[name]
		parts = append(parts, fmt.Sprintf("%s=%.4g", name, h[len(h)-1]))
	}
	return strings.Join(parts, "  ")
}

func (p *Progress) textLocked() string {
	var b strings.Builder
	if p.title != "" {
		b.WriteString(p.title + " ")
	}
	if f := p.fraction(); f >= 0 {
		const width = 24
		full := int(f * width)
		fmt.Fprintf(&b, "%3.0f%% [%s%s] %d/%d", 100*f, strings.Repeat("#", full), strings.Repeat(".", width-full), p.i, p.n)
	} else {
		fmt.Fprintf(&b, "step %d", p.i)
	}
	for _, s := range []string{p.metricsText(), p.rateText()} {
		if s != "" {
			b.WriteString("  " + s)
		}
	}
	return b.String()
}
