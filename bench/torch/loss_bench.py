#!/usr/bin/python3
"""NT-Xent (512 pairs × 128-d) and Barlow Twins (256 × 2048) forward+backward:
PyTorch 1.13 on 2 threads beside sslkit's `go test -bench`, in one run.

Usage: /usr/bin/python3 bench/torch/loss_bench.py [--reps N] [--rounds R]
Alternates Go and PyTorch rounds and prints, per side, the mean step, the
fastest step and the CPU time per step (milliseconds, all threads) with the
ratio sslkit / PyTorch. On a shared, loaded machine the fastest step and
the CPU time are the figures least disturbed by other processes.
The PyTorch losses are written from the papers' definitions (float32, CPU).
"""
import argparse
import os
import re
import resource
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


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def time_torch(fn, n, d, reps):
    """Returns mean wall ms, best wall ms and CPU ms (all threads) per step."""
    z1 = torch.randn(n, d, requires_grad=True)
    z2 = torch.randn(n, d, requires_grad=True)
    for _ in range(2):  # warm-up
        fn(z1, z2).backward()
    best = float("inf")
    total = 0.0
    cpu0 = cpu_seconds()
    for _ in range(reps):
        z1.grad = z2.grad = None
        t0 = time.perf_counter()
        fn(z1, z2).backward()
        dt = time.perf_counter() - t0
        best, total = min(best, dt), total + dt
    cpu = (cpu_seconds() - cpu0) / reps
    return total / reps * 1e3, best * 1e3, cpu * 1e3


def time_go(reps):
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", "NTXent512x128|BarlowTwins256x2048",
         "-benchtime", f"{reps}x", "-count", "1", "./sslkit/loss/"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    res = {}
    pat = r"Benchmark(\w+?)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) best-ms\s+([\d.]+) cpu-ms"
    for m in re.finditer(pat, out):
        res[m.group(1)] = (float(m.group(2)) / 1e6, float(m.group(3)), float(m.group(4)))
    return res, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10, help="steps per round")
    ap.add_argument("--rounds", type=int, default=2,
                    help="alternating Go/PyTorch rounds; the best of each side is kept")
    args = ap.parse_args()
    torch.set_num_threads(2)
    rows = [("NTXent512x128", ntxent, 512, 128), ("BarlowTwins256x2048", barlow, 256, 2048)]
    keys = ("mean", "best", "cpu")
    go_t = {k: {} for k in keys}
    th_t = {k: {} for k in keys}
    for _ in range(args.rounds):
        go, raw = time_go(args.reps)
        for name, fn, n, d in rows:
            if name not in go:
                raise SystemExit(f"go benchmark {name} missing:\n{raw}")
            for k, v in zip(keys, go[name]):
                go_t[k][name] = min(go_t[k].get(name, v), v)
            for k, v in zip(keys, time_torch(fn, n, d, args.reps)):
                th_t[k][name] = min(th_t[k].get(name, v), v)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; Go GOMAXPROCS default; "
          f"{args.rounds} alternating rounds of {args.reps} steps; load average {os.getloadavg()[0]:.1f}")
    print("ms per forward+backward step; ratio = sslkit / PyTorch; cpu = CPU time of all threads")
    print(f"{'':<21}" + "".join(f"{k + ' sslkit':>13}{k + ' torch':>12}{'ratio':>7}" for k in keys))
    for name, _, _, _ in rows:
        cells = "".join(f"{go_t[k][name]:>13.1f}{th_t[k][name]:>12.1f}{go_t[k][name] / th_t[k][name]:>6.1f}x"
                        for k in keys)
        print(f"{name:<21}{cells}")


if __name__ == "__main__":
    main()
