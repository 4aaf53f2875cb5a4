package display

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand; sleeping advances it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) sleep(d time.Duration)   { c.t = c.t.Add(d) }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestProgress(title string) (*Progress, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := NewProgress(title)
	p.now, p.sleep = clk.now, clk.sleep
	return p, clk
}

// timedRecorder stamps each output with the fake clock.
type timedRecorder struct {
	recorder
	clk   *fakeClock
	times []time.Time
}

func (r *timedRecorder) Display(b Bundle) error {
	r.times = append(r.times, r.clk.now())
	return r.recorder.Display(b)
}

func (r *timedRecorder) Update(b Bundle) error {
	r.times = append(r.times, r.clk.now())
	return r.recorder.Update(b)
}

func TestProgressIsThrottled(t *testing.T) {
	p, clk := newTestProgress("train")
	rec := &timedRecorder{clk: clk}
	withPublisher(t, rec)
	const n = 5000
	for i := 1; i <= n; i++ {
		clk.advance(time.Millisecond) // a fast loop: 1000 steps a second
		p.Step(i, n, map[string]float64{"loss": 1 / float64(i)})
	}
	// never more than 10 outputs in any one-second window
	for i := range rec.times {
		k := 0
		for j := i; j < len(rec.times) && rec.times[j].Sub(rec.times[i]) < time.Second; j++ {
			k++
		}
		if k > 10 {
			t.Fatalf("%d updates within a second starting at output %d", k, i)
		}
	}
	if len(rec.times) < 40 {
		t.Errorf("only %d outputs over 5 s of steps; want about 50", len(rec.times))
	}
	if len(rec.shown) != 1 {
		t.Errorf("%d new outputs; progress should show once and update in place", len(rec.shown))
	}
	id := rec.shown[0].ID
	for _, u := range rec.updated {
		if u.ID != id {
			t.Fatalf("update for id %q, shown as %q", u.ID, id)
		}
	}
	final := rec.updated[len(rec.updated)-1]
	if s := final.Data["text/plain"].(string); !strings.Contains(s, "5000/5000") || !strings.Contains(s, "100%") {
		t.Errorf("final state not shown: %q", s)
	}
}

func TestProgressFinalStepWaitsOutInterval(t *testing.T) {
	p, clk := newTestProgress("")
	rec := &timedRecorder{clk: clk}
	withPublisher(t, rec)
	p.Step(1, 2, nil)
	clk.advance(10 * time.Millisecond)
	p.Step(2, 2, nil) // final: must be drawn, but not 10 ms after the last
	if len(rec.times) != 2 {
		t.Fatalf("%d outputs, want 2", len(rec.times))
	}
	if gap := rec.times[1].Sub(rec.times[0]); gap < minUpdateInterval {
		t.Errorf("final update %v after the previous one", gap)
	}
}

func TestProgressDoneFlushes(t *testing.T) {
	p, clk := newTestProgress("eval")
	rec := &timedRecorder{clk: clk}
	withPublisher(t, rec)
	p.Done() // nothing reported: nothing shown
	if len(rec.times) != 0 {
		t.Fatal("Done with no steps showed something")
	}
	p.Step(1, 0, map[string]float64{"acc": 0.5})
	p.Step(2, 0, map[string]float64{"acc": 0.6}) // within the interval: held back
	if len(rec.times) != 1 {
		t.Fatalf("%d outputs", len(rec.times))
	}
	p.Done()
	last := rec.updated[len(rec.updated)-1]
	if s := last.Data["text/plain"].(string); !strings.Contains(s, "step 2") || !strings.Contains(s, "acc=0.6") {
		t.Errorf("Done showed %q", s)
	}
}

func TestProgressHTML(t *testing.T) {
	p, clk := newTestProgress("pretrain <SimCLR>")
	for i := 1; i <= 2000; i++ {
		clk.advance(10 * time.Millisecond)
		p.Step(i, 4000, map[string]float64{"loss": 2 / float64(i), "lr": 0.1})
	}
	page := p.Render().Data["text/html"].(string)
	for _, want := range []string{`<progress value="2000" max="4000"`, "50%", "pretrain &lt;SimCLR&gt;",
		"loss=0.001", "lr=0.1", "100 it/s", "eta 0:20"} {
		if !strings.Contains(page, want) {
			t.Errorf("progress HTML lacks %q", want)
		}
	}
	// The curves are images of SVG, which survive Jupyter's sanitiser of
	// untrusted HTML; inline SVG would not, and its labels would run
	// together as text.
	if strings.Contains(page, "<svg") || strings.Contains(page, "<text") {
		t.Error("progress HTML has inline SVG")
	}
	curves := regexp.MustCompile(`<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" width="280" height="130" alt="(\w+) curve"`).FindAllStringSubmatch(page, -1)
	if len(curves) != 2 || curves[0][2] != "loss" || curves[1][2] != "lr" {
		t.Fatalf("%d curve images, want one per metric (loss, lr)", len(curves))
	}
	raw, err := base64.StdEncoding.DecodeString(curves[0][1])
	if err != nil {
		t.Fatal(err)
	}
	html := string(raw)
	checkSVGDoc(t, html)
	if !strings.Contains(html, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("curve SVG lacks its namespace (an <img> needs it)")
	}
	// the curve is reduced to a bounded number of points
	poly := html[strings.Index(html, "<polyline"):]
	poly = poly[:strings.Index(poly, "/>")]
	if pts := strings.Count(poly, ","); pts > maxCurvePoints {
		t.Errorf("curve has %d points", pts)
	}
}

func TestProgressTextFallback(t *testing.T) {
	withPublisher(t, nil)
	out := captureStdout(t)
	p, clk := newTestProgress("fit")
	for i := 1; i <= 3000; i++ {
		clk.advance(time.Millisecond)
		p.Step(i, 3000, map[string]float64{"loss": 1})
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 3 || len(lines) > 5 { // about one a second over 3 s, plus the last
		t.Errorf("%d text lines:\n%s", len(lines), out.String())
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "3000/3000") || !strings.Contains(last, "[########################]") {
		t.Errorf("last line %q", last)
	}
}
