// Package embed maps high-dimensional features to two (or a few) dimensions
// for looking at them: PCA (exact or randomized SVD), t-SNE (Barnes–Hut)
// and UMAP (NN-descent neighbours, fuzzy simplicial set, SGD layout), plus
// the quality measures used to judge a map: trustworthiness and continuity
// (as scikit-learn defines them) and k-nearest-neighbour accuracy in the
// map.
//
// Inputs are gonum matrices with one point per row (FromRows converts
// [][]float32). Each method has an options struct whose DefaultXxxOptions
// constructor returns the usual defaults (those of scikit-learn and
// umap-learn); a literal zero in a field means zero, and fields that may
// be chosen automatically take the constant Auto. t-SNE and UMAP run on
// Workers goroutines, report progress to an optional Stepper, and stop
// when their context or the notebook cell (sslkit/ambient) is interrupted.
//
// Transform of new points: PCA projects them; UMAP places them on the
// learned layout as umap-learn does (neighbours in the training data,
// weighted initial position, a short SGD with the training points fixed).
// t-SNE has no transform: its map is defined only for the points it was
// fitted on.
package embed
