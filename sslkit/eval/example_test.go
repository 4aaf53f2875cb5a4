package eval_test

import (
	"context"
	"fmt"

	"github.com/gossl/gossl/sslkit/eval"
)

func Example() {
	// Two classes: features pointing right (0) or up (1).
	train, _ := eval.NewFeatures([]float32{
		1, 0.1, 0.9, -0.1, 1, 0,
		0.1, 1, -0.1, 0.9, 0, 1,
	}, 6, 2, []int{0, 0, 0, 1, 1, 1})
	test, _ := eval.NewFeatures([]float32{2, 0.3, 0.2, 3}, 2, 2, []int{0, 1})

	ctx := context.Background()
	knn, _ := eval.KNN(ctx, train, test, eval.KNN20)
	fmt.Println(knn)
	probe, _ := eval.LinearProbe(ctx, train, test, eval.DefaultProbeOptions())
	fmt.Printf("linear probe top-1 %.0f%%\n", probe.TestTop1)
	rank, _ := eval.EffectiveRank(train)
	fmt.Println(rank)
	// Output:
	// kNN top-1 100.00% top-5 100.00% (cosine, k=6, T=0.1, train 6, test 2, 2 classes)
	// linear probe top-1 100%
	// effective rank 2 (Roy & Vetterli, singular values of the 6×2 embedding matrix, max 2)
}
