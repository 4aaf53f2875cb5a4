package train

import (
	"bytes"
	"context"
	"testing"
)

func TestSimCLRLossFalls(t *testing.T) {
	var log bytes.Buffer
	opt := DefaultOptions()
	opt.Steps, opt.Epochs, opt.Log = 30, 0, &log
	tr, err := NewTrainer(simclr(t), loader(t, 64, 16), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Fit(context.Background()); err != nil {
		t.Fatal(err)
	}
	l := tr.Losses()
	t.Log(log.String())
	t.Log(l)
	first, last := mean(l[:5]), mean(l[len(l)-5:])
	if !(last < first*0.9) {
		t.Errorf("loss went from %.4f to %.4f in 30 steps", first, last)
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
