package mvh

import (
	"bytes"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func renderPNG(t *testing.T, p *plot.Plot, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := p.WriterTo(5*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil || buf.Len() < 1000 {
		t.Fatalf("%s: rendered %d bytes, %v", what, buf.Len(), err)
	}
}

func TestFiguresRender(t *testing.T) {
	d := shippedData(t)
	sel := []string{"resnet50", "simclr_resnet50x1", HumansName}
	for _, ds := range []string{"uniform-noise", "colour", "sketch"} {
		p, err := AccuracyPlot(d, ds, sel)
		renderPNG(t, p, err, "accuracy "+ds)
		p, err = ErrorConsistencyPlot(d, ds, nil)
		renderPNG(t, p, err, "error consistency "+ds)
	}
	p, err := ShapeBiasPlot(d, nil)
	renderPNG(t, p, err, "shape bias")
	m, err := d.Confusion("edge", HumansName, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err = ConfusionPlot(m)
	renderPNG(t, p, err, "confusion")
	cm, err := d.ErrorConsistencyMatrix("sketch", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err = ConsistencyMatrixPlot(cm)
	renderPNG(t, p, err, "consistency matrix")
	b := shippedBenchmark(t)
	for _, metric := range []string{MetricAccuracyDifference, MetricObservedConsistency, MetricErrorConsistency, MetricOODAccuracy} {
		p, err = BenchmarkPlot(b, metric)
		renderPNG(t, p, err, metric)
		p, err = BenchmarkByDatasetPlot(b, metric, []string{"resnet50", HumansName})
		renderPNG(t, p, err, metric+" per dataset")
	}
}

func TestFiguresRejectBadInput(t *testing.T) {
	d := shippedData(t)
	if _, err := AccuracyPlot(d, "no-such-dataset", nil); err == nil {
		t.Error("unknown dataset accepted")
	}
	if _, err := ErrorConsistencyPlot(d, "colour", []string{"no-such-model"}); err == nil {
		t.Error("unknown model accepted")
	}
	if _, err := BenchmarkPlot(shippedBenchmark(t), "speed"); err == nil {
		t.Error("unknown metric accepted")
	}
	if _, err := ConfusionPlot(nil); err == nil {
		t.Error("nil matrix accepted")
	}
}

func TestBenchmarkHTML(t *testing.T) {
	h := shippedBenchmark(t).HTML()
	for _, want := range []string{"<table", "<td>resnet50</td><td>.087</td><td>.665</td><td>.208</td><td>.559</td>", "humans (all pairs)", "<b>.829</b>"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Count(h, "<tr>") != 17 { // header + 15 models + humans
		t.Errorf("%d rows", strings.Count(h, "<tr>"))
	}
	dh, err := shippedBenchmark(t).DatasetHTML(MetricErrorConsistency)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := shippedBenchmark(t).Row("resnet50")
	want := "<tr><td>" + r.Datasets[0].Dataset + "</td>"
	if !strings.Contains(dh, want) || strings.Count(dh, "<tr>") != 18 {
		t.Errorf("per-dataset table lacks %q or has %d rows", want, strings.Count(dh, "<tr>"))
	}
	if _, err := shippedBenchmark(t).DatasetHTML("speed"); err == nil {
		t.Error("unknown metric accepted")
	}
}
