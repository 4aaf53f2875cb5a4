"""Writes fixtures.json: scikit-learn's trustworthiness (and continuity as
trustworthiness with the spaces swapped), PCA explained variance ratios,
and umap-learn's a/b curve parameters, for sslkit/embed's tests.
Run: /usr/bin/python3 make_fixtures.py"""
import json

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from umap.umap_ import find_ab_params

rng = np.random.RandomState(7)
high = rng.randn(80, 6)
low = high[:, :2] @ rng.randn(2, 2) + 0.7 * rng.randn(80, 2)
trust = {str(k): trustworthiness(high, low, n_neighbors=k) for k in (1, 3, 5, 10, 20)}
cont = {str(k): trustworthiness(low, high, n_neighbors=k) for k in (1, 3, 5, 10, 20)}
pcax = rng.randn(50, 5) @ np.diag([5, 3, 2, 1, 0.5]) + 1.0
pca = PCA(n_components=3).fit(pcax)
ab = {}
for spread, md in ((1.0, 0.1), (1.0, 0.5), (2.0, 0.0), (1.0, 0.0), (3.0, 1.0)):
    a, b = find_ab_params(spread, md)
    ab["%g,%g" % (spread, md)] = [float(a), float(b)]
json.dump({
    "high": high.tolist(), "low": low.tolist(), "trust": trust, "continuity": cont,
    "pca_x": pcax.tolist(), "pca_ratio": pca.explained_variance_ratio_.tolist(),
    "pca_var": pca.explained_variance_.tolist(), "pca_components": pca.components_.tolist(),
    "ab": ab,
}, open("fixtures.json", "w"), indent=0)
