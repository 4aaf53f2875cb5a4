// Package head provides the small networks that sit on top of a backbone
// in self-supervised methods — projectors and predictors as the reference
// code of SimCLR, MoCo v2, BYOL, SimSiam and Barlow Twins builds them — and
// the momentum (exponential moving average) update of a teacher network
// from its student (MoCo, BYOL, DINO, EsViT).
package head
