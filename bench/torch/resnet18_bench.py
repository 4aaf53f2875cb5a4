#!/usr/bin/python3
"""ResNet-18 (CIFAR stem: 3×3 stride-1 stem conv, no max-pool, 512-d pooled
features) forward+backward on a batch of 3×32×32 images: PyTorch 1.13 on 2
threads beside sslkit's BenchmarkResNet18CIFARStep, in one run.

Usage: /usr/bin/python3 bench/torch/resnet18_bench.py [--batch 128] [--torch-steps 5] [--go-steps 1]

Both sides differentiate sum(features ⊙ R) for a fixed random R with
respect to every parameter, in training mode (batch statistics). Each side
runs one untimed warm-up step. Prints seconds per step (PyTorch: fastest and
mean; Go: go test's mean over --go-steps) and the ratio sslkit / PyTorch.
On a shared machine, read the figures together with the load average,
which is printed too.
"""
import argparse
import os
import re
import subprocess
import time

import torch
import torch.nn as nn
import torchvision

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cifar_resnet18():
    m = torchvision.models.resnet18()
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    m.fc = nn.Identity()
    return m.train()


def time_torch(batch, steps):
    torch.set_num_threads(2)
    model = cifar_resnet18()
    x = torch.randn(batch, 3, 32, 32)
    r = torch.randn(batch, 512)
    model.zero_grad()
    (model(x) * r).sum().backward()  # warm-up
    times = []
    for _ in range(steps):
        model.zero_grad()
        t0 = time.perf_counter()
        (model(x) * r).sum().backward()
        times.append(time.perf_counter() - t0)
    return min(times), sum(times) / len(times)


def time_go(batch, steps):
    env = dict(os.environ, GOSSL_BENCH_BATCH=str(batch))
    # Go's GC lets the heap reach twice the live set (~6 GB here) between
    # collections; on a shared machine cap it instead.
    env.setdefault("GOMEMLIMIT", "8GiB")
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", "ResNet18CIFARStep", "-benchtime", f"{steps}x",
         "-count", "1", "-timeout", "60m", "./sslkit/backbone/"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout
    m = re.search(r"([\d.]+) s/step", out)
    if not m:
        raise SystemExit("no s/step in go test output:\n" + out)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--torch-steps", type=int, default=5)
    ap.add_argument("--go-steps", type=int, default=1)
    a = ap.parse_args()
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    best, mean = time_torch(a.batch, a.torch_steps)
    print(f"pytorch {torch.__version__} (2 threads): {best:.3f} s/step fastest, {mean:.3f} s/step mean "
          f"over {a.torch_steps} steps, batch {a.batch}")
    go = time_go(a.batch, a.go_steps)
    print(f"sslkit (gorgonia, GOMAXPROCS={os.cpu_count()}): {go:.3f} s/step over {a.go_steps} step(s), batch {a.batch}")
    print(f"ratio sslkit/pytorch: {go / best:.1f}x (vs fastest), {go / mean:.1f}x (vs mean)")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
