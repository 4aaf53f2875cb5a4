// Command embed benchmarks sslkit/embed's t-SNE and UMAP against
// scikit-learn's TSNE and umap-learn, run side by side in the same
// invocation on the same data: time and trustworthiness on clustered
// 2,000×128 and 10,000×128 data and on Fashion-MNIST test pixels
// (10,000×784), plus sslkit's peak memory at 10k and 50k points.
//
//	go run ./bench/embed                 # everything; prints a Markdown table
//	go run ./bench/embed -cases c2k      # one case (c2k, c10k, fashion)
//	go run ./bench/embed -mem=false
//
// Trustworthiness (k = 10) of every map is computed by sslkit/embed's
// Trustworthiness, which matches sklearn.manifold.trustworthiness (see
// the package's fixture test).
package main
