// Package mvh reproduces the model-vs-human analyses of Geirhos et al.,
// "On the surprising similarities between supervised and self-supervised
// models" (arXiv:2010.08377) and "Partial success in closing the gap between
// human and machine vision" (NeurIPS 2021), from the published trial-by-trial
// data of 90 human participants and the models' responses on 17
// out-of-distribution datasets.
//
// # Data
//
// The trials ship with the package: data/model-vs-human.tar.gz (5.4 MB, the
// CSVs of bethgelab/model-vs-human raw-data/ plus raw-data-extra/, see
// README.md) is embedded in the binary, so LoadShipped works on a fresh
// machine without network access. Load reads the same layout from a directory
// (the toolbox's raw-data/ folder, a folder holding raw-data/ and
// raw-data-extra/, or a single dataset folder) or from a .tar.gz/.tgz/.zip
// archive. A malformed or partial CSV is an error that names the file and
// line.
//
// # Metrics
//
// All metrics work on the 16-class level and follow the toolbox:
// Accuracy, ErrorConsistency (Cohen's kappa over trial-by-trial correctness,
// trials matched by image), observed consistency, AccuracyDifference (squared),
// ShapeBias (overall and per category), Confusion (category-level confusion
// matrices), and Benchmark, the 17-dataset aggregation with the paper's
// excluded conditions (mean over conditions, then humans, then datasets) plus
// OOD accuracy; DatasetScores gives the per-dataset values for any observer.
// The "humans" row of every analysis is the human-vs-human
// baseline: all pairs of participants, or all participants' trials pooled
// where a metric takes one observer.
//
// # Bring your own model
//
// Stimuli lists the images a model must classify; ModelTrials and
// ModelTrialsFromProbabilities turn its decisions (or 1000-class ImageNet
// probabilities, mapped to 16 classes by Decide16) into trials in the
// toolbox's CSV format, Data.AddModel puts them beside the published models
// in every table and plot, and WriteTrials writes the CSV files.
//
// # Figures
//
// AccuracyPlot, ErrorConsistencyPlot, ShapeBiasPlot, ConfusionPlot and
// BenchmarkPlot return gonum *plot.Plot values; BenchmarkTable.HTML returns
// the benchmark table as HTML.
package mvh
