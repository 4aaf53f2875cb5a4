#!/usr/bin/env python3
"""Reference linear probes for sslkit/eval's tests, from scikit-learn.

Reads the cases that `go test ./sslkit/eval -run TestLinearProbeMatchesSklearn
-sklearn` writes (one JSON file: features, labels, weight decay), fits
StandardScaler + multinomial LogisticRegression(lbfgs) with
C = 1/(weight_decay * n_train) -- the same objective as eval.LinearProbe:
mean cross-entropy + weight_decay/2 * ||W||^2, biases unpenalised -- and
prints the accuracies and the objective at sklearn's optimum as JSON.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def objective(clf, x, y, wd):
    z = x @ clf.coef_.T + clf.intercept_
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean() + wd / 2 * (clf.coef_ ** 2).sum())


def main():
    cases = json.load(open(sys.argv[1]))
    out = {"sklearn": sklearn.__version__, "cases": []}
    for c in cases:
        n, d = c["n_train"], c["d"]
        xtr = np.array(c["train"], dtype=np.float32).reshape(n, d).astype(np.float64)
        xte = np.array(c["test"], dtype=np.float32).reshape(-1, d).astype(np.float64)
        ytr, yte = np.array(c["train_labels"]), np.array(c["test_labels"])
        sc = StandardScaler().fit(xtr)
        xtr, xte = sc.transform(xtr), sc.transform(xte)
        clf = LogisticRegression(C=1.0 / (c["weight_decay"] * n), max_iter=5000, tol=1e-10,
                                 multi_class="multinomial", solver="lbfgs")
        clf.fit(xtr, ytr)
        out["cases"].append({
            "name": c["name"],
            "checksum": c["checksum"],
            "train_top1": 100.0 * float((clf.predict(xtr) == ytr).mean()),
            "test_top1": 100.0 * float((clf.predict(xte) == yte).mean()),
            "objective": objective(clf, xtr, ytr, c["weight_decay"]),
        })
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
