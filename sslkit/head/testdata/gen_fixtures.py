#!/usr/bin/python3
"""Writes heads.json: PyTorch reference values for sslkit/head (fixture
format of sslkit/nn/testdata/gen_fixtures.py). DINOHead is DINO's
(facebookresearch/dino) head, re-typed from its definition: MLP with GELU,
L2 normalisation, weight-normalised last layer with frozen gain.
Run with Debian's python3-torch 1.13: /usr/bin/python3 gen_fixtures.py
"""
import json
import os

import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)


def tensor(t):
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


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
    module.train()
    x = torch.randn(*shape).requires_grad_(True)
    params = {k: tensor(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    return {
        "name": name, "train": True, "input": tensor(x), "params": params,
        "projection": tensor(r), "output": tensor(y), "grad_input": tensor(x.grad),
        "grad_params": {k: tensor(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        "buffers_after": {k: tensor(b) for k, b in module.named_buffers() if not k.endswith("num_batches_tracked")},
    }


cases = [
    case("dino_head", DINOHead(6, 10, False, True, 3, 8, 4), (5, 6)),
    case("dino_head_bn_trainable_g", DINOHead(6, 10, True, False, 2, 8, 4), (5, 6)),
]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "heads.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", path, len(cases), "cases")
