// Package backbone builds the encoders of sslkit's self-supervised
// methods from sslkit/nn layers: an MLP, a small CNN for 28×28 images,
// ResNet-18/34/50 (ImageNet or CIFAR stem), a binary ReActNet-style
// ResNet-18 (S2-BNN), EfficientNet-B0 (DisCo's student) and a tiny
// multi-stage vision transformer with window attention (EsViT).
//
// Every backbone is an nn.Module whose Forward maps an image batch
// (N, C, H, W) to features (N, OutDim) — or to class scores when built
// with NumClasses > 0 — and whose parameter count and names match
// torchvision's for the same configuration where torchvision has one.
// Building a backbone only allocates its weights; nothing is computed
// until it is placed in a graph, so counting ResNet-50's parameters is
// cheap. Constructors take a *rand.Rand for initialisation; nil draws from
// nn's process-wide stream (nn.DefaultRand), as PyTorch draws from its
// global generator: two backbones built with nil differ, and nn.Seed(s)
// before building makes a program's weights repeat. Every config has a
// Default…Config constructor with torchvision's settings; start from it
// and change what you need (every field is used as given).
package backbone
