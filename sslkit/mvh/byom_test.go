package mvh

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// decisionsOf returns a published model's decisions for AllStimuli, in
// stimulus order.
func decisionsOf(t *testing.T, d *Data, model string, stimuli []Stimulus) []string {
	t.Helper()
	resp := map[[3]string]string{}
	for _, name := range d.Datasets() {
		ds, _ := d.Dataset(name)
		for _, tr := range ds.Trials(model, "") {
			resp[[3]string{name, tr.Condition, tr.ImageName}] = tr.Response
		}
	}
	out := make([]string, len(stimuli))
	for i, s := range stimuli {
		r, ok := resp[[3]string{s.Dataset, s.Condition, s.ImageName}]
		if !ok {
			t.Fatalf("%s has no decision for %+v", model, s)
		}
		out[i] = r
	}
	return out
}

func TestBringYourOwnModelJoinsEveryAnalysis(t *testing.T) {
	d, err := LoadShipped() // a private copy: AddModel changes it
	if err != nil {
		t.Fatal(err)
	}
	stimuli, err := d.AllStimuli()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, name := range d.Datasets() {
		ds, _ := d.Dataset(name)
		want += len(ds.Trials("resnet50", ""))
	}
	if len(stimuli) != want || stimuli[0].Dataset != "edge" {
		t.Fatalf("%d stimuli, ResNet-50 saw %d", len(stimuli), want)
	}
	// Re-enter SimCLR's published decisions as 1000-class probabilities
	// (all mass spread over the decided category's ImageNet classes).
	dec := decisionsOf(t, d, "simclr_resnet50x1", stimuli)
	probs := make([][]float64, len(dec))
	for i, c := range dec {
		p := make([]float64, 1000)
		idx, _ := ImageNetIndices(c)
		for _, k := range idx {
			p[k] = 1 / float64(len(idx))
		}
		probs[i] = p
	}
	if err := d.AddModelProbabilities("my_simclr", stimuli, probs); err != nil {
		t.Fatal(err)
	}
	b, err := d.Benchmark()
	if err != nil {
		t.Fatal(err)
	}
	mine, ok1 := b.Row("my_simclr")
	ref, ok2 := b.Row("simclr_resnet50x1")
	if !ok1 || !ok2 || mine.Scores != ref.Scores || len(mine.Datasets) != 17 {
		t.Fatalf("own model row %+v differs from the published one %+v", mine.Scores, ref.Scores)
	}
	sb1, _ := d.ShapeBias("my_simclr")
	sb2, _ := d.ShapeBias("simclr_resnet50x1")
	if sb1 != sb2 {
		t.Fatalf("shape bias %+v vs %+v", sb1, sb2)
	}
	a1, _ := d.ConditionAccuracy("uniform-noise", "my_simclr")
	a2, _ := d.ConditionAccuracy("uniform-noise", "simclr_resnet50x1")
	if len(a1) != 8 || a1[7] != a2[7] {
		t.Fatalf("accuracy %v vs %v", a1, a2)
	}
	if _, err := AccuracyPlot(d, "uniform-noise", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.HTML(), "my_simclr") {
		t.Fatal("benchmark HTML lacks the new model")
	}

	// The files it writes are toolbox trial files that Load reads back.
	dir := t.TempDir()
	files, err := d.WriteSubjectFiles(dir, "my_simclr")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 17 || filepath.Base(files[0]) != "edge_my-simclr_session-1.csv" {
		t.Fatalf("wrote %q", files)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range back.Datasets() {
		got, _ := back.Dataset(name)
		want, _ := d.Dataset(name)
		g, w := got.Trials("my_simclr", ""), want.Trials("my_simclr", "")
		sort.Slice(g, func(i, j int) bool { return g[i].Number < g[j].Number })
		sort.Slice(w, func(i, j int) bool { return w[i].Number < w[j].Number })
		if len(g) != len(w) || g[0].ImageName != w[0].ImageName || g[len(g)-1].Response != w[len(w)-1].Response {
			t.Fatalf("%s: read back %d trials, wrote %d", name, len(g), len(w))
		}
	}
}

func TestBringYourOwnModelRejectsBadInput(t *testing.T) {
	d := shippedData(t)
	st, err := d.Stimuli("colour")
	if err != nil {
		t.Fatal(err)
	}
	good := make([]string, len(st))
	for i := range good {
		good[i] = "dog"
	}
	if _, err := ModelTrials("m", st, good[1:]); err == nil {
		t.Error("short decision list accepted")
	}
	bad := append([]string(nil), good...)
	bad[5] = "puppy"
	if _, err := ModelTrials("m", st, bad); err == nil || !strings.Contains(err.Error(), "puppy") {
		t.Errorf("bad decision: %v", err)
	}
	for _, name := range []string{"", "subject-99", HumansName, "a,b"} {
		if _, err := ModelTrials(name, st, good); err == nil {
			t.Errorf("model name %q accepted", name)
		}
	}
	if err := NewData().AddModel("resnet50", st, good); err != nil {
		t.Fatalf("adding to an empty Data: %v", err)
	}
	d2, _ := LoadShipped()
	if err := d2.AddModel("resnet50", st, good); err == nil {
		t.Error("a second resnet50 accepted")
	}
}
