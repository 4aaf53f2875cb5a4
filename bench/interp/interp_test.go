package interpbench

import (
	"context"
	"sort"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gossl/gossl/display"
	"github.com/gossl/gossl/interp"
)

const trivialCell = "x := 1\nx + 1"

type discard struct{}

func (discard) Display(display.Bundle) error       { return nil }
func (discard) Update(display.Bundle) error        { return nil }
func (discard) Clear(bool) error                   { return nil }
func (discard) Stream(string, string)              {}
func (discard) Input(string, bool) (string, error) { return "", nil }

// p50 runs f b.N times and reports the median duration.
func p50(b *testing.B, f func()) time.Duration {
	ds := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range ds {
		t := time.Now()
		f()
		ds[i] = time.Since(t)
	}
	b.StopTimer()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	m := ds[len(ds)/2]
	b.ReportMetric(float64(m.Nanoseconds()), "p50-ns")
	return m
}

func BenchmarkBareYaegiEval(b *testing.B) {
	ip := yaegi.New(yaegi.Options{})
	if err := ip.Use(interp.Symbols()); err != nil {
		b.Fatal(err)
	}
	p50(b, func() {
		if _, err := ip.Eval(trivialCell); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkSessionExecute(b *testing.B) {
	s, err := interp.New(interp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	p50(b, func() {
		if _, err := s.Execute(ctx, trivialCell, discard{}); err != nil {
			b.Fatal(err)
		}
	})
}
