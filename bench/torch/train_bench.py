#!/usr/bin/python3
"""PyTorch side of bench/train (go run ./bench/train runs both): the same
cases under the same names, PyTorch 1.13 on 2 threads. Prints one JSON
line: seconds per timed step (after one warm-up step), peak RSS, images
per step.

Usage: /usr/bin/python3 bench/torch/train_bench.py --case resnet18 [--steps N]
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


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


def cifar_resnet18():
    m = torchvision.models.resnet18()
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    m.fc = nn.Identity()
    return m


def small_cnn(features=128):
    # backbone.NewSmallCNN(1, features)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, features, bias=False), nn.BatchNorm1d(features), nn.ReLU())


def simclr(net, feat, shape):
    proj = nn.Sequential(nn.Linear(feat, feat), nn.ReLU(), nn.Linear(feat, 128))
    model = nn.Sequential(net, proj).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(*shape)
    half = shape[0] // 2

    def step():
        opt.zero_grad()
        z = model(x)
        ntxent(z[:half], z[half:]).backward()
        opt.step()
    return step


def loss_step(fn, n, d):
    z1 = torch.randn(n, d, requires_grad=True)
    z2 = torch.randn(n, d, requires_grad=True)

    def step():
        z1.grad = z2.grad = None
        fn(z1, z2).backward()
    return step


def resnet50_forward():
    m = torchvision.models.resnet50().eval()
    x = torch.randn(8, 3, 224, 224)

    def step():
        with torch.no_grad():
            m(x)
    return step


CASES = {
    "resnet18": (128, 3, lambda: simclr(cifar_resnet18(), 512, (128, 3, 32, 32))),
    "smallcnn": (128, 10, lambda: simclr(small_cnn(), 128, (128, 1, 28, 28))),
    "resnet50fwd": (8, 5, resnet50_forward),
    "ntxent": (1024, 20, lambda: loss_step(ntxent, 512, 128)),
    "barlow": (512, 10, lambda: loss_step(barlow, 256, 2048)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--steps", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    images, steps, build = CASES[a.case]
    steps = a.steps or steps
    step = build()
    step()  # warm-up
    times = []
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / steps
    print(json.dumps({
        "case": a.case, "side": "pytorch", "images": images, "steps": times, "cpu_per_step": cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "backend": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
    }))


if __name__ == "__main__":
    main()
