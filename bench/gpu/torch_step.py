#!/usr/bin/env python3
"""PyTorch's side of bench/gpu/run.sh: the same SimCLR ResNet-18 step as
gpucheck (CIFAR stem, Linear-ReLU-Linear head 512-512-128, NT-Xent with
tau 0.5 over 2N views, SGD lr 0.06 momentum 0.9 weight decay 5e-4, the loss
read back every step) in images/s, once in strict float32 and once with
PyTorch's defaults (cuDNN may use TF32 for convolutions)."""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return F.relu(h + (x if self.down is None else self.down(x)))


class SimCLR(nn.Module):
    def __init__(self, width=64):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        layers, cin = [], width
        for i, m in enumerate([1, 2, 4, 8]):
            layers += [Block(cin, width * m, 1 if i == 0 else 2), Block(width * m, width * m, 1)]
            cin = width * m
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(cin, cin), nn.ReLU(), nn.Linear(cin, 128, bias=False))

    def forward(self, x):
        h = self.layers(self.stem(x)).mean(dim=(2, 3))
        return self.head(h)


def ntxent(z, tau=0.5):
    n2 = z.shape[0]
    z = F.normalize(z, dim=1)
    sim = z @ z.t() / tau
    off = ~torch.eye(n2, dtype=torch.bool, device=z.device)
    denom = (sim.exp() * off).sum(1)
    pos = sim[torch.arange(n2, device=z.device), (torch.arange(n2, device=z.device) + n2 // 2) % n2]
    return (denom.log() - pos).mean()


def measure(device, batch, warmup, steps, tf32):
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(1)
    model = SimCLR().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.06, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(2 * batch, 3, 32, 32, device=device)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = ntxent(model(x))
        loss.backward()
        opt.step()
        return loss.item()

    first = None
    for _ in range(warmup):
        v = step()
        first = v if first is None else first
    if device == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(steps):
        last = step()
    if device == "cuda":
        torch.cuda.synchronize()
    sec = time.perf_counter() - t
    return {"tf32": tf32, "images_per_s": batch * steps / sec, "ms_per_step": 1000 * sec / steps,
            "first_loss": first, "last_loss": last}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("torch_step: torch sees no GPU", file=sys.stderr)
        return 3
    res = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu",
           "batch": a.batch, "runs": []}
    for tf32 in (False, True):
        r = measure(a.device, a.batch, a.warmup, a.steps, tf32)
        res["runs"].append(r)
        print(f"torch {res['torch']} ({'TF32 allowed (PyTorch default for convolutions)' if tf32 else 'strict float32'}): "
              f"{r['images_per_s']:.1f} images/s ({r['ms_per_step']:.1f} ms/step, loss {r['first_loss']:.4f} -> {r['last_loss']:.4f})",
              flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
