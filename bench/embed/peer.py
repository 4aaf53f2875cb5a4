"""Peer side of bench/embed: times scikit-learn's TSNE or umap-learn's UMAP
on a raw float32 matrix written by the Go program, writes the embedding
next to it and prints one JSON line. Run by `go run ./bench/embed`."""
import json
import resource
import sys
import time

import numpy as np


def main():
    method, path, n, d, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    x = np.fromfile(path, dtype=np.float32).reshape(n, d)
    if method == "tsne":
        from sklearn.manifold import TSNE
        model = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto",
                     random_state=0, n_jobs=2)
    elif method == "umap":
        import umap
        # JIT warm-up on tiny data, not timed
        umap.UMAP(n_neighbors=15).fit_transform(np.random.RandomState(0).rand(300, 8).astype(np.float32))
        # no random_state: umap-learn then runs its parallel (faster) SGD
        model = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2)
    else:
        raise SystemExit("unknown method " + method)
    t0, c0 = time.perf_counter(), time.process_time()
    emb = model.fit_transform(x)
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.asarray(emb, dtype=np.float32).tofile(out)
    print(json.dumps({"seconds": sec, "cpu_seconds": cpu, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
