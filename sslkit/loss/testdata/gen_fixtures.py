#!/usr/bin/python3
"""Writes losses.json: PyTorch 1.13 reference values and input gradients for
the losses of sslkit/loss, for fixed float32 inputs.

Run with Debian's python3-torch: /usr/bin/python3 gen_fixtures.py
Each reference is written from the definition in the paper's released code
(see /work/shared/PAPERS.md), deliberately in a different form from
sslkit's graph where possible (explicit sums and loops instead of one fused
cross-entropy), so the two implementations check each other.

Released code each reference follows (repository and file), so the check
can be repeated:
  NT-Xent        google-research/simclr  objective.py (add_contrastive_loss:
                 cosine logits / τ, the anchor's own column masked out,
                 softmax cross-entropy over both views; τ default 0.1 in
                 run.py, 0.5 in lightly's NTXentLoss)
  Barlow Twins   facebookresearch/barlowtwins  main.py (BarlowTwins.forward:
                 BatchNorm1d(affine=False) of each view, c = z1ᵀz2 / N,
                 on_diag (c_ii − 1)² + lambd · off_diag c_ij², lambd 0.0051)
  BYOL/SimSiam   facebookresearch/simsiam  simsiam/builder.py and main_simsiam.py
                 (−cos(p, z.detach()), averaged over both orders);
                 BYOL's 2 − 2·cos: deepmind/deepmind-research
                 byol/utils/helpers.py (regression_loss)
  InfoNCE        facebookresearch/moco  moco/builder.py (MoCo.forward: l_pos
                 = q·k, l_neg = q·queue, logits / T, label 0, queue and k
                 without gradient; T = 0.2 for v2 via main_moco.py --moco-t)
  Triplet        wanggrun/triplet  openselfsup/models/heads/triplet_loss_head.py
                 (truncated: dist = −2·cos, the 2nd–10th closest negatives,
                 γ = 2, margin 100) with openselfsup/models/triplet.py (the
                 BYOL-style builder); median_triplet_head.py for the paper's
                 median variant
  DisCo          Yuting-Gao/DisCo-pytorch  DisCo/main.py (criterion_mse =
                 nn.MSELoss(reduction='sum'); loss = 1.0·contrastive +
                 1.0·mse(teacher_q, student_q) + 1.0·mse(teacher_qk,
                 student_qk)) and DisCo/moco/builder_kq_mse_largeembedding_2048.py
                 (student and teacher embeddings L2-normalised)
  Distill        szq0214/S2-BNN  Contrastive+Distillation/step1/extensions/
                 kd_loss.py (DistributionLoss: −softmax(teacher)·
                 log_softmax(student), mean over the batch), called as
                 criterion_kd(student / moco_t, teacher / moco_t) in
                 Distillation_only/step1/main_moco.py (τ = 0.2)
  DINO           facebookresearch/dino  main_dino.py (DINOLoss: student /
                 0.1, teacher softmax((t − centre) / 0.04), pairs of
                 different views, centre momentum 0.9)
  EsViT          microsoft/esvit  main_esvit.py (DDINOLoss: ½ view loss +
                 ½ region loss matching each student patch to its most
                 similar teacher patch)
"""
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "internal", "torchref"))
import torchref  # noqa: E402  (shared helpers, imported by path)

torch.manual_seed(1)
torch.set_num_threads(1)


def rand(*shape, grad=True):
    return torch.randn(*shape, dtype=torch.float32).requires_grad_(grad)


cases = []


def case(name, loss, params, inputs, fn, consts=None):
    """inputs: tensors whose gradients are recorded; consts: other inputs."""
    consts = consts or {}
    value = fn(**inputs, **consts)
    value.backward()
    cases.append({
        "name": name, "loss": loss, "params": params,
        "inputs": {k: torchref.tensor64(v) for k, v in {**inputs, **consts}.items()},
        "value": float(value),
        "grads": {k: torchref.tensor64(v.grad) for k, v in inputs.items() if v.grad is not None},
    })


# --- SimCLR NT-Xent: ℓ_i = −log exp(s_ip/τ) / Σ_{k≠i} exp(s_ik/τ), mean over 2N.
def ntxent(z1, z2, tau):
    z = torch.cat([z1, z2])
    z = z / z.norm(dim=1, keepdim=True)
    n2 = z.shape[0]
    n = n2 // 2
    total = 0.0
    for i in range(n2):
        p = (i + n) % n2
        s = z[i] @ z.T / tau
        others = torch.cat([s[:i], s[i + 1:]])
        total = total - (s[p] - torch.logsumexp(others, dim=0))
    return total / n2


for tau in (0.5, 0.1):
    case(f"ntxent_tau{tau}", "NTXent", {"temperature": tau},
         {"z1": rand(8, 16), "z2": rand(8, 16)}, lambda z1, z2: ntxent(z1, z2, tau))


# --- Barlow Twins.
def barlow(z1, z2, lam, scale, eps=1e-5):
    n = z1.shape[0]
    a = (z1 - z1.mean(0)) / torch.sqrt(z1.var(0, unbiased=False) + eps)
    b = (z2 - z2.mean(0)) / torch.sqrt(z2.var(0, unbiased=False) + eps)
    c = a.T @ b / n
    d = torch.diagonal(c)
    on = ((d - 1) ** 2).sum()
    off = (c ** 2).sum() - (d ** 2).sum()
    return scale * (on + lam * off)


case("barlow_default", "BarlowTwins", {"lambda": 0.0051, "scale": 1.0},
     {"z1": rand(16, 32), "z2": rand(16, 32)}, lambda z1, z2: barlow(z1, z2, 0.0051, 1.0))
case("barlow_scaled", "BarlowTwins", {"lambda": 0.01, "scale": 0.025},
     {"z1": rand(16, 32), "z2": rand(16, 32)}, lambda z1, z2: barlow(z1, z2, 0.01, 0.025))


# --- BYOL / SimSiam with stop-gradient on the target.
def dneg(p, z):
    return -F.cosine_similarity(p, z.detach(), dim=-1).mean()


case("simsiam", "SimSiam", {}, {"p1": rand(8, 16), "p2": rand(8, 16), "z1": rand(8, 16), "z2": rand(8, 16)},
     lambda p1, p2, z1, z2: dneg(p1, z2) / 2 + dneg(p2, z1) / 2)
case("byol_symmetric", "BYOLSymmetric", {}, {"p1": rand(8, 16), "p2": rand(8, 16), "z1": rand(8, 16), "z2": rand(8, 16)},
     lambda p1, p2, z1, z2: (2 + 2 * dneg(p1, z2)) + (2 + 2 * dneg(p2, z1)))


# --- MoCo v2 InfoNCE against a queue.
def infonce(q, k, queue, tau):
    q = F.normalize(q, dim=1)
    k = F.normalize(k.detach(), dim=1)
    pos = (q * k).sum(1, keepdim=True)
    neg = q @ queue.T
    logits = torch.cat([pos, neg], dim=1) / tau
    return (torch.logsumexp(logits, dim=1) - logits[:, 0]).mean()


queue = F.normalize(torch.randn(32, 16), dim=1)
case("infonce_tau0.2", "InfoNCE", {"temperature": 0.2}, {"q": rand(8, 16), "k": rand(8, 16)},
     lambda q, k, queue: infonce(q, k, queue, 0.2), consts={"queue": queue})


# --- Median / truncated triplet (wanggrun/triplet), dist = −2 cos.
def triplet(p, t, variant, gamma=2.0, margin=100.0, lo=1, hi=10):
    d = -2 * F.normalize(p, dim=1) @ F.normalize(t.detach(), dim=1).T
    n = d.shape[0]
    ap = torch.diagonal(d)
    neg = d[~torch.eye(n, dtype=torch.bool)].view(n, n - 1)
    if variant == "median":
        an = neg.median(dim=1).values
    else:
        hi = min(hi, n - 1)
        an = torch.topk(neg, hi, dim=1, largest=False).values[:, lo:hi].mean(1)
    return F.relu(gamma * ap - an + margin).mean()


case("triplet_truncated", "Triplet", {"variant": "truncated"}, {"p": rand(12, 8), "t": rand(12, 8)},
     lambda p, t: triplet(p, t, "truncated"))
case("triplet_truncated_margin", "Triplet", {"variant": "truncated", "margin": 0.3, "gamma": 1.0, "lo": 0, "hi": 3},
     {"p": rand(12, 8), "t": rand(12, 8)},
     lambda p, t: triplet(p, t, "truncated", gamma=1.0, margin=0.3, lo=0, hi=3))
case("triplet_median_symmetric", "TripletSymmetric", {"variant": "median"},
     {"p1": rand(10, 8), "p2": rand(10, 8), "t1": rand(10, 8), "t2": rand(10, 8)},
     lambda p1, p2, t1, t2: triplet(p1, t2, "median") + triplet(p2, t1, "median"))


# --- DisCo with reduction "batch-mean": InfoNCE + mean_i ‖t_i − s_i‖² on
# normalised embeddings (the released default is at the end of the file).
def sqdist(s, t):
    return ((F.normalize(s, dim=1) - F.normalize(t.detach(), dim=1)) ** 2).sum(1).mean()


case("disco_batch_mean", "DisCo", {"reduction": "batch-mean"}, {"q": rand(8, 16), "sk": rand(8, 16)},
     lambda q, sk, k, tq, tk, queue: infonce(q, k, queue, 0.2) + sqdist(q, tq) + sqdist(sk, tk),
     consts={"k": torch.randn(8, 16), "tq": torch.randn(8, 16), "tk": torch.randn(8, 16), "queue": queue})


# --- S2-BNN distribution distillation.
def distill(s, t, tau):
    target = torch.softmax(F.normalize(t.detach(), dim=1) / tau, dim=1)
    return -(target * torch.log_softmax(F.normalize(s, dim=1) / tau, dim=1)).sum(1).mean()


case("distill_tau0.2", "Distill", {"temperature": 0.2}, {"s": rand(8, 16)},
     lambda s, t: distill(s, t, 0.2), consts={"t": torch.randn(8, 16)})


# --- DINO with centring; the centre is first updated from a previous step.
def dino_centre(prev, m=0.9):
    return (1 - m) * torch.cat(prev).mean(0, keepdim=True)  # m·0 + (1−m)·mean


def dino(student, teacher, centre, ts=0.1, tt=0.04):
    total, pairs = 0.0, 0
    for iq, t in enumerate(teacher):
        q = torch.softmax((t.detach() - centre) / tt, dim=-1)
        for v, s in enumerate(student):
            if v == iq:
                continue
            total = total + torch.sum(-q * torch.log_softmax(s / ts, dim=-1), dim=-1).mean()
            pairs += 1
    return total / pairs


B, K = 4, 10
prev = [torch.randn(B, K), torch.randn(B, K)]
centre = dino_centre(prev)
names_s = [f"s{i}" for i in range(4)]
case("dino", "DINO", {"student_temp": 0.1, "teacher_temp": 0.04, "momentum": 0.9},
     {n: rand(B, K) for n in names_s},
     lambda s0, s1, s2, s3, t0, t1, prev0, prev1: dino([s0, s1, s2, s3], [t0, t1], centre),
     consts={"t0": torch.randn(B, K), "t1": torch.randn(B, K), "prev0": prev[0], "prev1": prev[1]})


# --- EsViT: ½ DINO view loss + ½ region-matching loss (own centre).
def region(s_logits, s_feats, t_logits, t_feats, centre, ts=0.1, tt=0.04):
    total, pairs = 0.0, 0
    for iq in range(len(t_logits)):
        q = torch.softmax((t_logits[iq].detach() - centre) / tt, dim=-1)
        tf = F.normalize(t_feats[iq].detach(), dim=-1)
        for v in range(len(s_logits)):
            if v == iq:
                continue
            sim = F.normalize(s_feats[v], dim=-1) @ tf.transpose(1, 2)  # B×P×Q
            idx = sim.argmax(dim=2)
            matched = torch.stack([q[b, idx[b]] for b in range(q.shape[0])])
            total = total + torch.sum(-matched * torch.log_softmax(s_logits[v] / ts, dim=-1), dim=-1).mean()
            pairs += 1
    return total / pairs


Bp, P, Q, Fd = 2, 4, 5, 6
prev_r = [torch.randn(Bp, Q, K), torch.randn(Bp, Q, K)]
centre_r = 0.1 * torch.cat([p.reshape(-1, K) for p in prev_r]).mean(0, keepdim=True)
prev_v = [torch.randn(Bp, K), torch.randn(Bp, K)]
centre_v = dino_centre(prev_v)
grad_in = {}
for i in range(3):
    grad_in[f"sv{i}"] = rand(Bp, K)
    grad_in[f"sl{i}"] = rand(Bp, P, K)
consts = {}
for i in range(3):
    consts[f"sf{i}"] = torch.randn(Bp, P, Fd)
for i in range(2):
    consts[f"tv{i}"] = torch.randn(Bp, K)
    consts[f"tl{i}"] = torch.randn(Bp, Q, K)
    consts[f"tf{i}"] = torch.randn(Bp, Q, Fd)
    consts[f"prevv{i}"] = prev_v[i]
    consts[f"prevr{i}"] = prev_r[i]


def esvit(**a):
    view = dino([a["sv0"], a["sv1"], a["sv2"]], [a["tv0"], a["tv1"]], centre_v)
    reg = region([a["sl0"], a["sl1"], a["sl2"]], [a["sf0"], a["sf1"], a["sf2"]],
                 [a["tl0"], a["tl1"]], [a["tf0"], a["tf1"]], centre_r)
    return 0.5 * view + 0.5 * reg


case("esvit", "EsViT", {}, grad_in, esvit, consts=consts)


# --- Options off their defaults.
def infonce_raw(q, k, queue, tau):
    pos = (q * k.detach()).sum(1, keepdim=True)
    logits = torch.cat([pos, q @ queue.T], dim=1) / tau
    return (torch.logsumexp(logits, dim=1) - logits[:, 0]).mean()


case("infonce_skip_normalize_tau0.07", "InfoNCE", {"temperature": 0.07, "skip_normalize": True},
     {"q": rand(8, 16)}, lambda q, k, queue: infonce_raw(q, k, queue, 0.07),
     consts={"k": torch.randn(8, 16), "queue": queue})
case("disco_mse_mean_weight0.5", "DisCo", {"reduction": "mean", "weight": 0.5}, {"q": rand(8, 16)},
     lambda q, k, tq, queue: infonce(q, k, queue, 0.2)
     + 0.5 * F.mse_loss(F.normalize(q, dim=1), F.normalize(tq, dim=1)),
     consts={"k": torch.randn(8, 16), "tq": torch.randn(8, 16), "queue": queue})
case("distill_tau0.5_raw", "Distill", {"temperature": 0.5, "skip_normalize": True}, {"s": rand(8, 16)},
     lambda s, t: -(torch.softmax(t / 0.5, dim=1) * torch.log_softmax(s / 0.5, dim=1)).sum(1).mean(),
     consts={"t": torch.randn(8, 16)})
case("byol_one_direction", "BYOL", {}, {"p": rand(8, 16)},
     lambda p, z: 2 - 2 * F.cosine_similarity(p, z, dim=-1).mean(), consts={"z": torch.randn(8, 16)})


# --- DisCo as released (Yuting-Gao/DisCo-pytorch DisCo/main.py): the
# contrastive loss plus nn.MSELoss(reduction='sum') between the normalised
# teacher and student embeddings of each view. Written with torch's own
# MSELoss module so that the reduction is the released one, not a re-derivation.
mse_sum = torch.nn.MSELoss(reduction="sum")
queue64 = F.normalize(torch.randn(64, 32), dim=1)


def disco_released(q, sk, k, tq, tk, queue):
    contrastive = infonce(q, k, queue, 0.2)
    with torch.no_grad():
        tqn, tkn = F.normalize(tq, dim=1), F.normalize(tk, dim=1)
    return 1.0 * contrastive + 1.0 * mse_sum(tqn, F.normalize(q, dim=1)) + 1.0 * mse_sum(tkn, F.normalize(sk, dim=1))


case("disco_released", "DisCo", {}, {"q": rand(16, 32), "sk": rand(16, 32)}, disco_released,
     consts={"k": torch.randn(16, 32), "tq": torch.randn(16, 32), "tk": torch.randn(16, 32), "queue": queue64})


# --- Zero options mean zero (they once meant "use the default").
case("triplet_margin0", "Triplet", {"variant": "truncated", "margin": 0.0}, {"p": rand(12, 8), "t": rand(12, 8)},
     lambda p, t: triplet(p, t, "truncated", margin=0.0))
case("barlow_lambda0", "BarlowTwins", {"lambda": 0.0, "scale": 1.0},
     {"z1": rand(16, 32), "z2": rand(16, 32)}, lambda z1, z2: barlow(z1, z2, 0.0, 1.0))
case("disco_weight0", "DisCo", {"weight": 0.0}, {"q": rand(8, 16)},
     lambda q, k, tq, queue: infonce(q, k, queue, 0.2) + 0.0 * mse_sum(F.normalize(tq, dim=1), F.normalize(q, dim=1)),
     consts={"k": torch.randn(8, 16), "tq": torch.randn(8, 16), "queue": queue})
prev0 = [torch.randn(B, K), torch.randn(B, K)]
centre0 = torch.cat(prev0).mean(0, keepdim=True)  # m = 0: the centre is the last mean
case("dino_momentum0", "DINO", {"momentum": 0.0},
     {n: rand(B, K) for n in names_s},
     lambda s0, s1, s2, s3, t0, t1, prev0, prev1: dino([s0, s1, s2, s3], [t0, t1], centre0),
     consts={"t0": torch.randn(B, K), "t1": torch.randn(B, K), "prev0": prev0[0], "prev1": prev0[1]})

torchref.write_fixtures(os.path.join(HERE, "losses.json"), cases)
