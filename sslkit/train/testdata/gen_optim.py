"""Writes optim.json: parameters after each of three optimizer steps in
PyTorch 1.13 (torch.optim.SGD, torch.optim.AdamW) and in solo-learn's LARS,
re-implemented below from its published update rule (solo/utils/lars.py,
itself from PyTorch Lightning Bolts). Run: /usr/bin/python3 gen_optim.py"""
import json

import numpy as np
import torch

rng = np.random.default_rng(5)
W0 = rng.normal(size=(3, 4)).astype(np.float32)
b0 = rng.normal(size=(4,)).astype(np.float32)
grads = [(rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4,)).astype(np.float32)) for _ in range(3)]
lrs = [0.1, 0.05, 0.02]


class LARS(torch.optim.Optimizer):
    """solo-learn's LARS rule (exclude_bias_n_norm_lars, clip_lars_lr)."""

    def __init__(self, params, lr, momentum, weight_decay, eta, eps, clip, exclude):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, eps=eps,
                                      clip=clip, exclude=exclude))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            wd = group["weight_decay"]
            for p in group["params"]:
                d_p = p.grad
                p_norm, g_norm = torch.norm(p.data), torch.norm(p.grad.data)
                if p.ndim != 1 or not group["exclude"]:
                    if p_norm != 0 and g_norm != 0:
                        lars_lr = group["eta"] * p_norm / (g_norm + p_norm * wd + group["eps"])
                        if group["clip"]:
                            lars_lr = min(lars_lr / group["lr"], 1)
                        d_p = d_p.add(p, alpha=wd) * lars_lr
                st = self.state[p]
                if "momentum_buffer" not in st:
                    buf = st["momentum_buffer"] = torch.clone(d_p).detach()
                else:
                    buf = st["momentum_buffer"]
                    buf.mul_(group["momentum"]).add_(d_p)
                p.add_(buf, alpha=-group["lr"])


def run(make):
    W = torch.nn.Parameter(torch.tensor(W0))
    b = torch.nn.Parameter(torch.tensor(b0))
    opt = make(W, b)
    out = []
    for (gW, gb), lr in zip(grads, lrs):
        W.grad, b.grad = torch.tensor(gW), torch.tensor(gb)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        out.append({"W": W.detach().numpy().ravel().tolist(), "b": b.detach().numpy().ravel().tolist()})
    return out


cases = {
    "sgd_nesterov": run(lambda W, b: torch.optim.SGD([{"params": [W], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0}],
                                                     lr=0.1, momentum=0.9, nesterov=True)),
    "sgd_dampening": run(lambda W, b: torch.optim.SGD([{"params": [W], "weight_decay": 0.01}, {"params": [b], "weight_decay": 0}],
                                                      lr=0.1, momentum=0.9, dampening=0.1)),
    "adamw": run(lambda W, b: torch.optim.AdamW([{"params": [W], "weight_decay": 0.05}, {"params": [b], "weight_decay": 0}],
                                                lr=0.1, betas=(0.9, 0.999), eps=1e-8)),
    "lars_clip": run(lambda W, b: LARS([{"params": [W], "weight_decay": 0.01}, {"params": [b], "weight_decay": 0}],
                                       lr=0.1, momentum=0.9, weight_decay=0, eta=0.02, eps=1e-8, clip=True, exclude=True)),
    "lars": run(lambda W, b: LARS([{"params": [W], "weight_decay": 0.01}, {"params": [b], "weight_decay": 0}],
                                  lr=0.1, momentum=0.9, weight_decay=0, eta=0.02, eps=1e-8, clip=False, exclude=True)),
}
doc = {"torch": torch.__version__, "W0": W0.ravel().tolist(), "b0": b0.ravel().tolist(),
       "grads": [{"W": gW.ravel().tolist(), "b": gb.ravel().tolist()} for gW, gb in grads], "lrs": lrs, "cases": cases}
with open("optim.json", "w") as f:
    json.dump(doc, f, indent=1)
