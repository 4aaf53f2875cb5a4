// Package loss builds the self-supervised losses of sslkit's seed papers on
// a gorgonia graph: NT-Xent (SimCLR), InfoNCE with a negative queue
// (MoCo v2), Barlow Twins, BYOL and SimSiam negative cosine, median and
// truncated triplet (wanggrun/triplet), DisCo, S2-BNN distribution
// distillation, DINO with centring and EsViT's region-matching term.
//
// Each function takes embedding nodes (N×D, static batch size) and an
// options struct, and returns a scalar loss node to pass to gorgonia.Grad
// (or ops.Grad, which also accepts the detached inputs). Every options
// struct has a Default…Options constructor with the settings of the
// paper's released code (each field's comment names the paper's value);
// start from it and change what you need:
//
//	opt := loss.DefaultNTXentOptions() // τ = 0.1; lightly's default is 0.5
//	opt.Temperature = 0.5
//	cost, err := loss.NTXent(z1, z2, opt)
//
// A field is always used as given, so a zero means zero (a margin of 0, a
// centre momentum of 0); a value that is invalid (a temperature ≤ 0)
// returns an error naming the field. Targets that the papers detach
// (BYOL/SimSiam targets, MoCo keys and queue, frozen teachers) are wrapped
// in ops.StopGradient here, so callers pass raw nodes; ops.Grad gives them
// zero gradients where gorgonia.Grad would refuse them.
//
// Every loss is checked against finite differences and against PyTorch 1.13
// reference values and input gradients (testdata/gen_fixtures.py).
package loss
