// Package loss builds the self-supervised losses of sslkit's seed papers on
// a gorgonia graph: NT-Xent (SimCLR), InfoNCE with a negative queue
// (MoCo v2), Barlow Twins, BYOL and SimSiam negative cosine, median and
// truncated triplet (wanggrun/triplet), DisCo, S2-BNN distribution
// distillation, DINO with centring and EsViT's region-matching term.
//
// Each function takes embedding nodes (N×D, static batch size) and an
// options struct whose zero value means the paper's defaults, and returns a
// scalar loss node to pass to gorgonia.Grad. Targets that the papers detach
// (BYOL/SimSiam targets, MoCo keys, frozen teachers) are wrapped in
// ops.StopGradient here, so callers pass raw nodes.
//
// Every loss is checked against finite differences and against PyTorch 1.13
// reference values and input gradients (testdata/gen_fixtures.py).
package loss
