#!/usr/bin/python3
"""Writes blocks.json: PyTorch reference values for sslkit/backbone's
composite blocks — torchvision's own MBConv (EfficientNet) and a tiny
multi-stage window-attention ViT written to sslkit's definition — in the
fixture format of sslkit/nn/testdata/gen_fixtures.py (input, state_dict,
projection R, output, gradients of sum(y * R), running stats after the step).

Run with Debian's python3-torch 1.13 / python3-torchvision:
    /usr/bin/python3 gen_fixtures.py
"""
import os
import sys
from functools import partial

import torch
import torch.nn as nn
from torchvision.models.efficientnet import MBConv, MBConvConfig

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "internal", "torchref"))
import torchref  # noqa: E402  (shared helpers, imported by path)

torch.manual_seed(0)
torch.set_num_threads(1)


def randomize(module):
    with torch.no_grad():
        for _, p in module.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.5 + 1.0)


def case(name, module, shape, prefix=""):
    randomize(module)
    return torchref.layer_case(name, module, torch.randn(*shape), prefix=prefix)
def mbconv(expand, k, stride, cin, cout):
    cnf = MBConvConfig(expand, k, stride, cin, cout, 1)
    # stochastic depth 0: sslkit does not drop blocks.
    return MBConv(cnf, 0.0, partial(nn.BatchNorm2d))


class Merge(nn.Module):
    """2×2 neighbours concatenated in row-major order (r0c0, r0c1, r1c0, r1c1)."""

    def __init__(self, cin, cout, grid):
        super().__init__()
        self.grid = grid
        self.norm = nn.LayerNorm(4 * cin)
        self.reduction = nn.Linear(4 * cin, cout, bias=False)

    def forward(self, x):
        b, l, c = x.shape
        g = self.grid
        x = x.view(b, g // 2, 2, g // 2, 2, c).permute(0, 1, 3, 2, 4, 5).reshape(b, l // 4, 4 * c)
        return self.reduction(self.norm(x))


class TinyViT(nn.Module):
    def __init__(self, image, patch, dims, depths, heads, win, ratio):
        super().__init__()
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, dims[0], patch, patch)
        self.patch_embed.norm = nn.LayerNorm(dims[0])
        grid = image // patch
        self.layers = nn.ModuleList()
        self.stages = []
        for s in range(len(dims)):
            stage = nn.Module()
            stage.blocks = nn.ModuleList()
            self.layers.append(stage)
            if s > 0:
                self.layers[s - 1].downsample = Merge(dims[s - 1], dims[s], grid)
                grid //= 2
            for i in range(depths[s]):
                shift = win // 2 if i % 2 == 1 and win < grid else 0  # Swin alternates
                stage.blocks.append(torchref.Block(dims[s], heads[s], grid, grid, min(win, grid), ratio, shift))
        self.norm = nn.LayerNorm(dims[-1])

    def forward(self, x):
        x = self.patch_embed.proj(x)
        b, c, h, w = x.shape
        x = self.patch_embed.norm(x.permute(0, 2, 3, 1).reshape(b, h * w, c))
        for s, stage in enumerate(self.layers):
            if s > 0:
                x = self.layers[s - 1].downsample(x)
            for blk in stage.blocks:
                x = blk(x)
        return self.norm(x).mean(1)


cases = [
    case("mbconv_residual", mbconv(6, 5, 1, 8, 8), (2, 8, 6, 6), prefix="blk."),
    case("mbconv_stride", mbconv(1, 3, 2, 8, 16), (2, 8, 6, 6), prefix="blk."),
    case("tiny_vit", TinyViT(8, 2, [8, 16], [2, 1], [2, 2], 2, 2.0), (2, 3, 8, 8)),
]
torchref.write_layer_fixtures(os.path.join(HERE, "blocks.json"), cases)
