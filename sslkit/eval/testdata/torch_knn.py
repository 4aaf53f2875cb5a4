#!/usr/bin/env python3
"""Reference weighted kNN for sslkit/eval's tests, computed with PyTorch the
way solo-learn's WeightedKNNClassifier and lightly's knn_predict define it:
L2-normalise, cosine similarity by matrix product, top-k, each neighbour
votes exp(sim / T) for its class, classes sorted by score; top-1 and top-5
(the five best-scoring classes) accuracies.

Reads the cases that `go test ./sslkit/eval -run TestKNNMatchesTorch -torch`
writes and prints the predictions and accuracies as JSON.
"""
import json
import sys

import torch
import torch.nn.functional as F


def weighted_knn(train, train_y, test, test_y, k, t, classes):
    train, test = F.normalize(train, dim=1), F.normalize(test, dim=1)
    sim = test @ train.T
    k = min(k, train.shape[0])
    top_sim, top_idx = sim.topk(k, dim=1, largest=True, sorted=True)
    votes = torch.zeros(test.shape[0], classes, dtype=torch.float64)
    votes.scatter_add_(1, train_y[top_idx], (top_sim.double() / t).exp())
    order = votes.argsort(dim=1, descending=True)
    hit = order == test_y.view(-1, 1)
    return order[:, 0].tolist(), 100.0 * hit[:, :1].sum().item() / len(test_y), \
        100.0 * hit[:, :5].sum().item() / len(test_y)


def main():
    cases = json.load(open(sys.argv[1]))
    out = {"torch": torch.__version__, "cases": []}
    for c in cases:
        d = c["d"]
        train = torch.tensor(c["train"], dtype=torch.float32).view(-1, d)
        test = torch.tensor(c["test"], dtype=torch.float32).view(-1, d)
        train_y, test_y = torch.tensor(c["train_labels"]), torch.tensor(c["test_labels"])
        classes = int(max(train_y.max(), test_y.max())) + 1
        pred, top1, top5 = weighted_knn(train, train_y, test, test_y, c["k"], c["t"], classes)
        out["cases"].append({"name": c["name"], "checksum": c["checksum"], "predictions": pred,
                             "top1": top1, "top5": top5})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
