// Package augment holds the image augmentations of SimCLR, BYOL and DINO
// (random resized crop, flip, colour jitter, grayscale, Gaussian blur,
// solarize, multi-crop) as small seeded transforms on (C, H, W) float32
// image tensors in [0, 1], composed into pipelines that produce views.
//
// Each transform is a small struct whose fields are torchvision's
// arguments (RandomResizedCrop{Height, Width, Scale, Ratio},
// ColorJitter{Brightness, Contrast, Saturation, Hue, P}, …); literal zero
// means zero, and Validate (called by Apply) reports invalid settings.
// Compose chains transforms, MultiView turns transforms into views and is
// the data.Viewer a loader uses:
//
//	v := augment.SimCLR(32)                       // two views of SimCLR's recipe
//	views, err := v.Views(img, rng)              // [](3, 32, 32)
//	custom := augment.Views(2, augment.Compose{
//		augment.NewRandomResizedCrop(28, [2]float64{0.2, 1}),
//		augment.HorizontalFlip{P: 0.5},
//	})
//	dino, err := augment.DINO(augment.DefaultDINOOptions())
//
// Semantics follow torchvision 0.14 on tensors and are checked against it
// (testdata/gen_fixtures.py): bilinear resizing with align_corners=False
// and no antialiasing (torchvision's tensor default; PIL inputs are
// antialiased), torchvision's crop sampling and fallback, colour jitter in
// a random order with torchvision's formulas, ITU-R 601-2 luma grayscale
// that keeps the channel count, reflect-padded Gaussian blur. Colour
// operations accept 1- or 3-channel images; on 1 channel, saturation, hue
// and grayscale change nothing, as in torchvision. Geometric ones accept
// any channel count.
//
// Randomness comes only from the *rand.Rand passed to Apply or Views, so a
// seeded rng reproduces the views exactly. Transforms hold no state: one
// pipeline may serve several goroutines, each with its own rng. The
// pointwise transforms (flip, jitter, grayscale, solarize, normalize) work
// in place; crops and resizes write a new tensor, and MultiView copies the
// source image only when a view's first step could modify it, so the
// dataset's image is never changed.
package augment
