#!/usr/bin/python3
"""Writes transforms.json: torchvision 0.14 outputs of the functional
transforms that sslkit/augment re-implements, on fixed inputs with fixed
parameters (the random draws are sslkit's own; the tests feed the same
parameters to the deterministic entry points: ApplyParams and p = 1).

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14:
    /usr/bin/python3 gen_fixtures.py
Format: {"torchvision": version, "inputs": {name: {"shape", "data"}},
"cases": [{"name", "op", "input", "params", "output": {"shape", "data"}}],
"crop_stats": [{"h", "w", "scale", "n", "area_mean", "area_std", "log_ratio_mean",
"log_ratio_std"}]}.
"""
import json
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
torch.set_num_threads(1)


def enc(t):
    t = t.detach().float().contiguous()
    # 8 significant digits: float32 is exact to about 7.
    return {"shape": list(t.shape), "data": [float("%.8g" % v) for v in t.flatten().tolist()]}


rgb = torch.rand(3, 12, 10)
# Pixels that exercise the HSV edge cases: grey (max == min), black,
# white, ties between channels, pure primaries.
rgb[:, 0, 0] = torch.tensor([0.5, 0.5, 0.5])
rgb[:, 0, 1] = torch.tensor([0.0, 0.0, 0.0])
rgb[:, 0, 2] = torch.tensor([1.0, 1.0, 1.0])
rgb[:, 0, 3] = torch.tensor([0.7, 0.7, 0.2])
rgb[:, 0, 4] = torch.tensor([0.1, 0.6, 0.6])
rgb[:, 0, 5] = torch.tensor([1.0, 0.0, 0.0])
rgb[:, 0, 6] = torch.tensor([0.0, 0.0, 1.0])
rgb[:, 0, 7] = torch.tensor([0.9, 0.2, 0.9])
gray = torch.rand(1, 9, 11)
small = torch.rand(3, 5, 6)
inputs = {"rgb": rgb, "gray": gray, "small": small}
cases = []


def case(name, op, inp, params, out):
    cases.append({"name": name, "op": op, "input": inp, "params": params, "output": enc(out)})


BIL = InterpolationMode.BILINEAR
for inp in ("rgb", "gray"):
    x = inputs[inp]
    _, h, w = x.shape
    for (i, j, ch, cw, oh, ow) in [(0, 0, h, w, 7, 5), (2, 1, 6, 5, 16, 16), (1, 3, 7, 4, 5, 9),
                                   (0, 0, h, w, 23, 19), (3, 2, 3, 3, 8, 8), (1, 1, 5, 5, 5, 5)]:
        out = F.resized_crop(x, i, j, ch, cw, [oh, ow], BIL, antialias=False)
        case(f"resized_crop_{inp}_{i}_{j}_{ch}x{cw}_to_{oh}x{ow}", "resized_crop", inp,
             {"top": i, "left": j, "height": ch, "width": cw, "out_h": oh, "out_w": ow}, out)
    for size in (4, 7, 20):
        case(f"resize_shorter_{inp}_{size}", "resize_shorter", inp, {"size": size},
             F.resize(x, size, BIL, antialias=False))
    for (oh, ow) in [(5, 4), (6, 7), (15, 14), (4, 13)]:
        case(f"center_crop_{inp}_{oh}x{ow}", "center_crop", inp, {"height": oh, "width": ow},
             F.center_crop(x, [oh, ow]))
    case(f"hflip_{inp}", "hflip", inp, {}, F.hflip(x))
    for f in (0.0, 0.6, 1.4):
        case(f"brightness_{inp}_{f}", "jitter", inp, {"order": [0, 1, 2, 3], "brightness": f, "contrast": 1,
                                                      "saturation": 1, "hue": 0}, F.adjust_brightness(x, f))
        case(f"contrast_{inp}_{f}", "jitter", inp, {"order": [0, 1, 2, 3], "brightness": 1, "contrast": f,
                                                    "saturation": 1, "hue": 0}, F.adjust_contrast(x, f))
        case(f"saturation_{inp}_{f}", "jitter", inp, {"order": [0, 1, 2, 3], "brightness": 1, "contrast": 1,
                                                      "saturation": f, "hue": 0}, F.adjust_saturation(x, f))
    for hf in (-0.5, -0.31, 0.07, 0.25, 0.5):
        case(f"hue_{inp}_{hf}", "jitter", inp, {"order": [0, 1, 2, 3], "brightness": 1, "contrast": 1,
                                                "saturation": 1, "hue": hf}, F.adjust_hue(x, hf))
    # Full jitters in torchvision's random order, as ColorJitter.forward.
    for order, b, c, s, hf in [([3, 1, 0, 2], 1.3, 0.7, 1.25, 0.08), ([2, 0, 3, 1], 0.65, 1.35, 0.6, -0.1),
                               ([1, 3, 2, 0], 1.1, 0.9, 0.0, 0.4)]:
        y = x.clone()
        for fn in order:
            y = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue][fn](y, [b, c, s, hf][fn])
        case(f"jitter_{inp}_{order}", "jitter", inp, {"order": order, "brightness": b, "contrast": c,
                                                      "saturation": s, "hue": hf}, y)
    case(f"grayscale_{inp}", "grayscale", inp, {}, F.rgb_to_grayscale(x, num_output_channels=x.shape[0]))
    for thr in (0.0, 0.5, 0.83):
        case(f"solarize_{inp}_{thr}", "solarize", inp, {"threshold": thr}, F.solarize(x, thr))
    for k, sigma in [(3, 0.5), (5, 1.7), (7, 0.1), (9, 2.0)]:
        case(f"blur_{inp}_{k}_{sigma}", "blur", inp, {"kernel": k, "sigma": sigma},
             F.gaussian_blur(x, [k, k], [sigma, sigma]))
    mean = [0.485, 0.456, 0.406][: x.shape[0]]
    std = [0.229, 0.224, 0.225][: x.shape[0]]
    case(f"normalize_{inp}", "normalize", inp, {"mean": mean, "std": std}, F.normalize(x, mean, std))

# The largest kernel that torch's reflect padding allows on a 5-pixel side.
case("blur_small_9_1.3", "blur", "small", {"kernel": 9, "sigma": 1.3}, F.gaussian_blur(small, [9, 9], [1.3, 1.3]))

# Statistics of torchvision's crop sampling (the draws themselves come from
# torch's generator, so the Go test compares distributions): mean and
# standard deviation of the crop's area fraction and log aspect ratio.
crop_stats = []
for (h, w, scale) in [(32, 32, (0.08, 1.0)), (28, 28, (0.05, 0.4)), (32, 32, (0.4, 1.0)), (20, 50, (0.08, 1.0))]:
    rrc = torchvision.transforms.RandomResizedCrop(16, scale=scale)
    img = torch.zeros(1, h, w)
    fr, lr = [], []
    n = 20000
    for _ in range(n):
        i, j, ch, cw = rrc.get_params(img, list(scale), [3 / 4, 4 / 3])
        fr.append(ch * cw / (h * w))
        lr.append(float(torch.log(torch.tensor(cw / ch))))
    ft, lt = torch.tensor(fr), torch.tensor(lr)
    crop_stats.append({"h": h, "w": w, "scale": list(scale), "n": n,
                       "area_mean": ft.mean().item(), "area_std": ft.std().item(),
                       "log_ratio_mean": lt.mean().item(), "log_ratio_std": lt.std().item()})

doc = {"torchvision": torchvision.__version__, "inputs": {k: enc(v) for k, v in inputs.items()}, "cases": cases,
       "crop_stats": crop_stats}
with open(os.path.join(HERE, "transforms.json"), "w") as f:
    json.dump(doc, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases")
