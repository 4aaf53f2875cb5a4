// Package sslkit is gossl's self-supervised learning library: a normal Go
// library on gorgonia (float32, CPU) that the gossl kernel preloads into
// notebooks and that plain Go programs can import.
//
// Its packages:
//
//	nn        layers as Modules with named parameters and train/eval modes
//	nn/ops    custom gorgonia ops (stop-gradient, masked fill, sign with STE, …)
//	backbone  MLP, small CNN, ResNet-18/34/50, binary ResNet-18,
//	          EfficientNet-B0, tiny multi-stage ViT
//	head      projectors, predictors and the momentum teacher update
//	loss      the objectives of SimCLR, MoCo v2, BYOL, SimSiam, Barlow Twins,
//	          DisCo, S2-BNN and DINO/EsViT
//
// Every layer, op and loss is checked against finite differences and
// against PyTorch reference values stored as fixtures.
package sslkit
