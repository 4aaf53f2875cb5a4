#!/usr/bin/python3
"""Writes torchvision_layouts.json: for each configuration that
sslkit/backbone's tests check, torchvision's parameter count and its
state_dict names and shapes (num_batches_tracked left out).
Run with Debian's python3-torchvision: /usr/bin/python3 param_counts.py"""
import json
import os

import torch.nn as nn
import torchvision


def cifar(m):
    # The CIFAR stem of SimCLR/lightly: 3x3 stride-1 conv, no max-pool.
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def headless(m):
    m.fc = nn.Identity()
    return m


models = {
    "resnet18": torchvision.models.resnet18(),
    "resnet18_cifar_10": cifar(torchvision.models.resnet18(num_classes=10)),
    "resnet18_cifar_features": headless(cifar(torchvision.models.resnet18())),
    "resnet34": torchvision.models.resnet34(),
    "resnet50": torchvision.models.resnet50(),
    "resnet50_features": headless(torchvision.models.resnet50()),
    "efficientnet_b0": torchvision.models.efficientnet_b0(),
}
out = {}
for name, m in models.items():
    out[name] = {
        "count": sum(p.numel() for p in m.parameters()),
        "state": {k: list(v.shape) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")},
    }
    print(name, out[name]["count"])
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torchvision_layouts.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0, sort_keys=True)
