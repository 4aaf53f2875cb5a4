#!/usr/bin/python3
"""Writes ops.json: PyTorch 1.13 reference values and input gradients for
the custom ops of sslkit/nn/ops.

Run with Debian's python3-torch: /usr/bin/python3 gen_fixtures.py
Each case stores float32 inputs, the op's output, a projection weight R of
the output's shape, and the gradients of sum(R * output) w.r.t. the inputs.
The references are written from each op's definition, not from sslkit.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "internal", "torchref"))
import torchref  # noqa: E402  (shared helpers, imported by path)

torch.manual_seed(0)
torch.set_num_threads(1)


def rand(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).requires_grad_(True)


cases = []


def case(name, op, params, inputs, fn, grad=True, extra=None):
    """fn maps the named float inputs to the output tensor."""
    out = fn(**inputs)
    entry = {"name": name, "op": op, "params": params,
             "inputs": {k: torchref.tensor64(v) for k, v in inputs.items()},
             "out": torchref.tensor64(out)}
    if extra:
        entry["inputs"].update(extra)
    if grad:
        r = torch.randn(out.shape, dtype=torch.float32)
        (out * r).sum().backward()
        entry["proj"] = torchref.tensor64(r)
        entry["grads"] = {k: torchref.tensor64(v.grad) for k, v in inputs.items() if v.grad is not None}
    cases.append(entry)


case("sum_axes_0_2", "SumAxes", {"axes": [0, 2]}, {"x": rand(2, 3, 4, 2)},
     lambda x: x.sum(dim=(0, 2)))
case("sum_axes_all", "SumAxes", {"axes": []}, {"x": rand(3, 4)},
     lambda x: x.sum())
case("mean_axes_1_3", "MeanAxes", {"axes": [1, 3]}, {"x": rand(2, 3, 4, 2)},
     lambda x: x.mean(dim=(1, 3)))
case("diag", "Diag", {}, {"x": rand(4, 5)}, lambda x: torch.diagonal(x))
case("masked_fill_eye", "MaskedFill", {"value": -7.0}, {"x": rand(4, 4)},
     lambda x: x.masked_fill(torch.eye(4, dtype=torch.bool), -7.0))
case("log_softmax_last", "LogSoftmax", {"axis": -1}, {"x": rand(3, 5, scale=3)},
     lambda x: torch.log_softmax(x, dim=-1))
case("log_softmax_axis1_3d", "LogSoftmax", {"axis": 1}, {"x": rand(2, 4, 3, scale=3)},
     lambda x: torch.log_softmax(x, dim=1))
case("logsumexp_axis0", "LogSumExp", {"axis": 0}, {"x": rand(4, 3, scale=5)},
     lambda x: torch.logsumexp(x, dim=0))
case("l2_normalize_rows", "L2Normalize", {"axis": 1}, {"x": rand(4, 6)},
     lambda x: torch.nn.functional.normalize(x, dim=1))
case("l2_normalize_axis0_3d", "L2Normalize", {"axis": 0}, {"x": rand(3, 2, 4)},
     lambda x: torch.nn.functional.normalize(x, dim=0))
bn = torch.nn.BatchNorm1d(5, affine=False)
bn.train()
case("batch_standardize", "BatchStandardize", {}, {"x": rand(8, 5, scale=2)},
     lambda x: bn(x))

labels = torch.tensor([0, 6, 3, 3, 1])
case("cross_entropy", "CrossEntropy", {"labels": labels.tolist()}, {"x": rand(5, 7, scale=2)},
     lambda x: torch.nn.functional.cross_entropy(x, labels))
labels4 = torch.tensor([2, 3, 0, 1])
case("cross_entropy_masked_diag", "CrossEntropyMaskedDiag", {"labels": labels4.tolist()},
     {"x": rand(4, 4, scale=2)},
     lambda x: torch.nn.functional.cross_entropy(
         x.masked_fill(torch.eye(4, dtype=torch.bool), float("-inf")), labels4))
target = torch.softmax(torch.randn(2, 3, 4), dim=-1)
case("soft_cross_entropy", "SoftCrossEntropy", {}, {"x": rand(2, 3, 4, scale=2)},
     lambda x: (-target * torch.log_softmax(x, dim=-1)).sum(-1).mean(),
     extra={"target": torchref.tensor64(target)})


class ClippedSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class ReActSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.clamp(2 - 2 * x.abs(), min=0)


case("sign_clipped_ste", "SignSTE", {}, {"x": rand(3, 4, 2, scale=1.5)}, lambda x: ClippedSTE.apply(x))
case("sign_reactnet_ste", "SignReActNet", {}, {"x": rand(3, 4, 2, scale=1.5)}, lambda x: ReActSTE.apply(x))


def rank_mean(x, lo, hi, skip_diag):
    if skip_diag:
        x = x.masked_fill(torch.eye(x.shape[0], dtype=torch.bool), float("inf"))
    s, _ = torch.sort(x, dim=1)
    return s[:, lo:hi].mean(dim=1)


case("rank_mean_truncated", "RankMean", {"lo": 1, "hi": 5, "skip_diag": True}, {"x": rand(7, 7)},
     lambda x: rank_mean(x, 1, 5, True))
case("rank_mean_median", "RankMean", {"lo": 2, "hi": 3, "skip_diag": False}, {"x": rand(4, 6)},
     lambda x: rank_mean(x, 2, 3, False))

centre = torch.randn(1, 6)
case("centred_softmax", "CentredSoftmax", {"temp": 0.04}, {"x": rand(3, 6)},
     lambda x: torch.softmax((x - centre) / 0.04, dim=-1), grad=False,
     extra={"centre": torchref.tensor64(centre)})

sf, tf, tv = torch.randn(2, 5, 3), torch.randn(2, 4, 3), torch.randn(2, 4, 6)
sim = torch.nn.functional.normalize(sf, dim=-1) @ torch.nn.functional.normalize(tf, dim=-1).transpose(1, 2)
idx = sim.argmax(dim=2)
gathered = torch.gather(tv, 1, idx.unsqueeze(-1).expand(-1, -1, tv.shape[2]))
cases.append({"name": "match_gather", "op": "MatchGather", "params": {},
              "inputs": {"sfeat": torchref.tensor64(sf), "tfeat": torchref.tensor64(tf), "tvals": torchref.tensor64(tv)},
              "out": torchref.tensor64(gathered)})

case("softmax_axis1_3d", "Softmax", {"axis": 1}, {"x": rand(2, 4, 3, scale=3)},
     lambda x: torch.softmax(x, dim=1))
case("softmax_last", "Softmax", {"axis": -1}, {"x": rand(5, 6, scale=3)},
     lambda x: torch.softmax(x, dim=-1))
case("gram", "Gram", {}, {"x": rand(6, 4)}, lambda x: x @ x.T)

torchref.write_fixtures(os.path.join(HERE, "ops.json"), cases)
