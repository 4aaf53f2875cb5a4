#!/usr/bin/python3
"""Writes blocks.json: PyTorch reference values for sslkit/backbone's
composite blocks — torchvision's own MBConv (EfficientNet) and a tiny
multi-stage window-attention ViT written to sslkit's definition — in the
fixture format of sslkit/nn/testdata/gen_fixtures.py (input, state_dict,
projection R, output, gradients of sum(y * R), running stats after the step).

Run with Debian's python3-torch 1.13 / python3-torchvision:
    /usr/bin/python3 gen_fixtures.py
"""
import json
import os
from functools import partial

import torch
import torch.nn as nn
from torchvision.models.efficientnet import MBConv, MBConvConfig

torch.manual_seed(0)
torch.set_num_threads(1)


def tensor(t):
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def randomize(module):
    with torch.no_grad():
        for _, p in module.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.5 + 1.0)


def case(name, module, shape, prefix=""):
    randomize(module)
    module.train()
    x = torch.randn(*shape).requires_grad_(True)
    params = {prefix + k: tensor(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    return {
        "name": name, "train": True, "input": tensor(x), "params": params,
        "projection": tensor(r), "output": tensor(y), "grad_input": tensor(x.grad),
        "grad_params": {prefix + k: tensor(p.grad) for k, p in module.named_parameters()},
        "buffers_after": {prefix + k: tensor(b) for k, b in module.named_buffers()
                          if not k.endswith("num_batches_tracked")},
    }


def mbconv(expand, k, stride, cin, cout):
    cnf = MBConvConfig(expand, k, stride, cin, cout, 1)
    # stochastic depth 0: sslkit does not drop blocks.
    return MBConv(cnf, 0.0, partial(nn.BatchNorm2d))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.proj = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask=None):
        b, t, c = x.shape
        d = c // self.heads
        split = lambda y: y.reshape(b, t, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = q @ k.transpose(-2, -1) / d ** 0.5
        if mask is not None:  # (nW, T, T), same for every image and head
            nw = mask.shape[0]
            a = (a.view(b // nw, nw, self.heads, t, t) + mask.unsqueeze(1).unsqueeze(0)).view(b, self.heads, t, t)
        a = a.softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    """Pre-norm block; with shift > 0, Swin's cyclic shift and attention mask."""

    def __init__(self, dim, heads, grid, win, ratio, shift=0):
        super().__init__()
        self.grid, self.win, self.shift = grid, min(win, grid), shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential()
        self.mlp.add_module("fc1", nn.Linear(dim, int(dim * ratio)))
        self.mlp.add_module("act", nn.GELU())
        self.mlp.add_module("fc2", nn.Linear(int(dim * ratio), dim))

    def mask(self):
        g, s, k = self.grid, self.win, self.shift
        img = torch.zeros(1, g, g, 1)
        cnt = 0
        for hs in (slice(0, -s), slice(-s, -k), slice(-k, None)):
            for ws in (slice(0, -s), slice(-s, -k), slice(-k, None)):
                img[:, hs, ws, :] = cnt
                cnt += 1
        win = img.view(1, g // s, s, g // s, s, 1).permute(0, 1, 3, 2, 4, 5).reshape(-1, s * s)
        m = win.unsqueeze(1) - win.unsqueeze(2)
        return m.masked_fill(m != 0, -100.0).masked_fill(m == 0, 0.0)

    def forward(self, x):
        b, l, c = x.shape
        g, s, k = self.grid, self.win, self.shift
        y = self.norm1(x).view(b, g, g, c)
        if k:
            y = torch.roll(y, shifts=(-k, -k), dims=(1, 2))
        y = y.view(b, g // s, s, g // s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, s * s, c)
        y = self.attn(y, self.mask() if k else None)
        y = y.view(b, g // s, g // s, s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(b, g, g, c)
        if k:
            y = torch.roll(y, shifts=(k, k), dims=(1, 2))
        x = x + y.reshape(b, l, c)
        return x + self.mlp(self.norm2(x))


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
                stage.blocks.append(Block(dims[s], heads[s], grid, win, ratio, shift))
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
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blocks.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", path, len(cases), "cases")
