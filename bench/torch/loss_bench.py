#!/usr/bin/python3
"""NT-Xent (512 pairs × 128-d) and Barlow Twins (256 × 2048) forward+backward:
PyTorch 1.13 on 2 threads beside sslkit's `go test -bench`, in one run.

Usage (from anywhere in the repo): /usr/bin/python3 bench/torch/loss_bench.py [--reps N]
Prints milliseconds per step for each side and the ratio sslkit / PyTorch.
The PyTorch losses are written from the papers' definitions (float32, CPU).
"""
import argparse
import os
import re
import subprocess
import time

import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ntxent(z1, z2, tau=0.5):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, labels)


def barlow(z1, z2, lam=0.0051, eps=1e-5):
    n, d = z1.shape
    a = (z1 - z1.mean(0)) / torch.sqrt(z1.var(0, unbiased=False) + eps)
    b = (z2 - z2.mean(0)) / torch.sqrt(z2.var(0, unbiased=False) + eps)
    c = a.T @ b / n
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on + lam * off


def time_torch(fn, n, d, reps):
    z1 = torch.randn(n, d, requires_grad=True)
    z2 = torch.randn(n, d, requires_grad=True)
    for _ in range(2):  # warm-up
        fn(z1, z2).backward()
    best = float("inf")
    total = 0.0
    for _ in range(reps):
        z1.grad = z2.grad = None
        t0 = time.perf_counter()
        fn(z1, z2).backward()
        dt = time.perf_counter() - t0
        best, total = min(best, dt), total + dt
    return total / reps * 1e3, best * 1e3


def time_go(reps):
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", "NTXent512x128|BarlowTwins256x2048",
         "-benchtime", f"{reps}x", "-count", "1", "./sslkit/loss/"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    res = {}
    for m in re.finditer(r"Benchmark(\w+?)-\d+\s+\d+\s+([\d.]+) ns/op", out):
        res[m.group(1)] = float(m.group(2)) / 1e6
    return res, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(2)
    go, raw = time_go(args.reps)
    rows = [("NTXent512x128", ntxent, 512, 128), ("BarlowTwins256x2048", barlow, 256, 2048)]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"go bench GOMAXPROCS default; {args.reps} steps each")
    print(f"{'benchmark':<22}{'sslkit ms':>11}{'torch ms':>11}{'torch best':>12}{'ratio':>8}")
    for name, fn, n, d in rows:
        mean, best = time_torch(fn, n, d, args.reps)
        g = go.get(name)
        if g is None:
            print(f"{name:<22}   (go benchmark missing)\n{raw}")
            continue
        print(f"{name:<22}{g:>11.1f}{mean:>11.1f}{best:>12.1f}{g / mean:>7.1f}x")


if __name__ == "__main__":
    main()
