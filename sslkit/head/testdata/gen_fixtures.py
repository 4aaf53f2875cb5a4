#!/usr/bin/python3
"""Writes heads.json: PyTorch reference values for sslkit/head (fixture
format of sslkit/nn/testdata/gen_fixtures.py). DINOHead is DINO's
(facebookresearch/dino) head, re-typed from its definition: MLP with GELU,
L2 normalisation, weight-normalised last layer with frozen gain.
Run with Debian's python3-torch 1.13: /usr/bin/python3 gen_fixtures.py
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "internal", "torchref"))
import torchref  # noqa: E402  (shared helpers, imported by path)

torch.manual_seed(0)
torch.set_num_threads(1)


class DINOHead(nn.Module):
    def __init__(self, in_dim, out_dim, use_bn, norm_last_layer, nlayers, hidden_dim, bottleneck_dim):
        super().__init__()
        layers = [nn.Linear(in_dim, hidden_dim)]
        if use_bn:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers.append(nn.GELU())
        for _ in range(nlayers - 2):
            layers.append(nn.Linear(hidden_dim, hidden_dim))
            if use_bn:
                layers.append(nn.BatchNorm1d(hidden_dim))
            layers.append(nn.GELU())
        layers.append(nn.Linear(hidden_dim, bottleneck_dim))
        self.mlp = nn.Sequential(*layers)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def forward(self, x):
        x = self.mlp(x)
        x = nn.functional.normalize(x, dim=-1, p=2)
        return self.last_layer(x)


def case(name, module, shape):
    with torch.no_grad():
        for n, p in module.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.5 + 1.0)
        if not module.last_layer.weight_g.requires_grad:
            pass
        else:
            module.last_layer.weight_g.copy_(torch.rand_like(module.last_layer.weight_g) + 0.5)
    return torchref.layer_case(name, module, torch.randn(*shape))


cases = [
    case("dino_head", DINOHead(6, 10, False, True, 3, 8, 4), (5, 6)),
    case("dino_head_bn_trainable_g", DINOHead(6, 10, True, False, 2, 8, 4), (5, 6)),
]
torchref.write_layer_fixtures(os.path.join(HERE, "heads.json"), cases)
