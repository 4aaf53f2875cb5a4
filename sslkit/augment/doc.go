// Package augment holds the image augmentations of SimCLR, BYOL and DINO
// (random resized crop, flip, colour jitter, grayscale, Gaussian blur,
// solarize, multi-crop) as small seeded transforms on (C, H, W) float32
// image tensors in [0, 1], composed into pipelines that produce views.
package augment
