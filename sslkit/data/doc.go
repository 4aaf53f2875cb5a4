// Package data reads image datasets (MNIST/Fashion-MNIST idx files, CIFAR
// binary batches, folders of PNG/JPEG images) and serves them in seeded,
// shuffled batches of views, prepared on another goroutine while the
// current training step runs.
package data
