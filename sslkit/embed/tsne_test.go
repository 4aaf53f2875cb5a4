package embed

import (
	"context"
	"testing"
)

func TestTSNESeparatesClusters(t *testing.T) {
	x, labels := clusters(300, 20, 4, 4, 1)
	res, err := RunTSNE(context.Background(), x, DefaultTSNEOptions())
	if err != nil {
		t.Fatal(err)
	}
	q, err := Evaluate(x, res.Embedding, labels, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v KL %.3f iters %d", q, res.KL, res.Iterations)
	if q.Trustworthiness < 0.9 || q.KNNAccuracy < 0.95 {
		t.Errorf("quality %+v; want trustworthiness > 0.9 and kNN accuracy > 0.95", q)
	}
}
