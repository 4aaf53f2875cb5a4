// Package data reads image datasets (MNIST/Fashion-MNIST idx files, CIFAR
// binary batches, folders of PNG/JPEG images) and serves them in seeded,
// shuffled batches of views, prepared on another goroutine while the
// current training step runs.
//
// Readers return *Images, a Dataset that keeps pixels as bytes and gives
// each item as a (C, H, W) float32 tensor in [0, 1]:
//
//	train, err := data.FashionMNIST("", true) // Debian's dataset-fashion-mnist
//	cifar, err := data.CIFAR10(dir, true)
//	pets, err := data.ReadImageFolder(ctx, "pets/", &data.FolderOptions{Width: 64, Height: 64})
//
// Subset, First and Split select items; FromTensors and FromImages wrap data
// already in memory. A truncated or corrupt file gives a *FormatError that
// names the file and the byte offset; no input makes a reader panic.
//
// A Loader cuts an epoch into batches. Each batch holds, for every view a
// Viewer makes (sslkit/augment's pipelines are Viewers), one (N, C, H, W)
// tensor, with the labels and dataset indices of its N images; the last
// batch of an epoch is smaller unless DropLast is set. Batches and views
// depend only on the seed, the epoch and the batch number, never on the
// number of worker goroutines:
//
//	loader, err := data.NewLoader(train, data.LoaderOptions{BatchSize: 256, Shuffle: true, Seed: 1, Viewer: views})
//	for epoch := 0; epoch < epochs; epoch++ {
//		it := loader.Epoch(ctx, epoch)
//		for {
//			batch, err := it.Next()
//			if err == io.EOF {
//				break
//			}
//			if err != nil {
//				return err
//			}
//			// batch.Views[0], batch.Views[1]: (N, C, H, W); batch.Labels
//		}
//	}
//
// The public API has no generics and no range-over-func iterators, so the
// gossl notebook's interpreter can use all of it.
package data
