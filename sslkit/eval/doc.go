// Package eval measures what a self-supervised encoder has learnt, the way
// lightly and solo-learn do, and prints each number beside its protocol:
//
//   - Embed runs a frozen model in evaluation mode over a data.Dataset and
//     returns its Features (N×D float32 and the labels); nn.Flatten{} as
//     the model gives the raw-pixel baseline.
//   - KNN is the weighted k-nearest-neighbour classifier of InstDisc
//     (Wu et al. 2018), as solo-learn's WeightedKNNClassifier and lightly's
//     knn_predict compute it: cosine similarity of L2-normalised features,
//     the k most similar training features vote for their class with
//     weight exp(sim/T). KNN20 and KNN200 are the usual presets (T = 0.1).
//   - LinearProbe trains a multinomial logistic regression on frozen,
//     standardised features with full-batch L-BFGS (gonum/optimize).
//   - Alignment and Uniformity (Wang & Isola 2020), EffectiveRank (Roy &
//     Vetterli 2007) and EmbeddingStd (SimSiam's per-dimension std of
//     L2-normalised outputs) detect collapse.
//   - NearestNeighbours retrieves the most similar gallery items of each
//     query (sslkit/show draws them as an image grid).
//
// A typical evaluation:
//
//	train, err := eval.Embed(ctx, net, trainSet, eval.DefaultEmbedOptions())
//	test, err := eval.Embed(ctx, net, testSet, eval.DefaultEmbedOptions())
//	knn, err := eval.KNN(ctx, train, test, eval.KNN20)
//	probe, err := eval.LinearProbe(ctx, train, test, eval.DefaultProbeOptions())
//	fmt.Println(knn, probe)
//
// Results are values with a String method, for example
//
//	kNN top-1 81.20% top-5 97.31% (cosine, k=20, T=0.1, train 60000, test 10000, 10 classes)
//
// so a printed number always carries the protocol that produced it. Long
// computations take a context.Context and also stop when
// sslkit/ambient.Context() (the notebook cell's interrupt) is cancelled.
// Heavy loops run on all cores; similarity matrices are computed in chunks,
// so memory stays bounded whatever the dataset size.
package eval
