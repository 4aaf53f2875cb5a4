// Package method implements sslkit's self-supervised methods as objects
// that own their per-step bookkeeping, the way lightly and solo-learn
// organise them: SimCLR, MoCo v2, BYOL, SimSiam, Barlow Twins, DINO, EsViT,
// the median/truncated triplet method, DisCo and S2-BNN.
//
// A method is built from a backbone (an nn.Module such as *backbone.Net or
// *backbone.ViT) and an options struct (DefaultXxxOptions gives the paper's
// settings). It adds the heads the paper uses and, where the paper has one,
// a momentum teacher (a copy of the student made by Clone, with its tensor
// names prefixed so the two never share a graph node) or a frozen teacher
// distilled into the student. Every Method exposes:
//
//   - Params: the trainable tensors (student backbone and heads);
//   - BuildLoss: the loss for one batch of views, appended to a gorgonia
//     graph, returned as a Step that also keeps what the method reads back
//     after the run (MoCo's keys, DINO's teacher outputs);
//   - BeforeStep and AfterStep: what happens around each optimizer step
//     (DINO's teacher-temperature warm-up; MoCo's queue enqueue, the EMA
//     update of a momentum teacher with BYOL's cosine momentum, DINO's
//     centre update);
//   - Backbone and Encoder: the network to evaluate, and backbone followed
//     by projector for analyses of the embeddings;
//   - Tensors: everything a checkpoint must hold to resume exactly.
//
// sslkit/train runs any Method; a hand-written loop needs only BuildLoss,
// gorgonia.Grad on Params, an optimizer step and AfterStep.
//
// Each view is passed through the networks on its own, as lightly's
// examples do, so BatchNorm statistics are per view (DINO's code batches
// the crops of one resolution together).
package method
