package embed

import (
	"context"
	"testing"
)

func TestUMAPSeparatesClusters(t *testing.T) {
	x, labels := clusters(400, 20, 4, 4, 2)
	opt := DefaultUMAPOptions()
	opt.Seed = 3
	u, err := FitUMAP(context.Background(), x, opt)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Evaluate(x, u.Embedding, labels, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v init %s a=%.4f b=%.4f", q, u.InitUsed, u.A, u.B)
	if q.Trustworthiness < 0.9 || q.KNNAccuracy < 0.95 {
		t.Errorf("quality %+v; want trustworthiness > 0.9 and kNN accuracy > 0.95", q)
	}
}
