// Package head provides the small networks that sit on top of a backbone
// in self-supervised methods — projectors and predictors as the reference
// code of SimCLR, MoCo v2, BYOL, SimSiam and Barlow Twins builds them — and
// the momentum (exponential moving average) update of a teacher network
// from its student (MoCo, BYOL, DINO, EsViT).
//
// DINO's head is configured by a DINOConfig: start from
// DefaultDINOConfig(in, out) (DINO's 3 layers, hidden 2048, bottleneck
// 256) and change what you need; every field is used as given. Custom
// heads take nn.MLPOptions (start from nn.DefaultMLPOptions()).
// Constructors given a nil *rand.Rand draw from nn's process-wide stream
// (nn.DefaultRand, reset by nn.Seed), so two heads built with nil differ.
package head
