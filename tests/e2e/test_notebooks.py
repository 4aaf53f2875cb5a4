"""The notebooks execute end to end through nbclient with the installed
kernel, as Jupyter runs them. The tutorial (01) is run by test_exec.py
instead, through `gossl exec` as `make tutorial` runs it, so that CI trains
each notebook once; its checks live here beside the others."""
import math
import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient

ALL = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
NOTEBOOKS = [p for p in ALL if not p.name.startswith("01-")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, kernel_name, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == kernel_name
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=600, resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count for c in code_cells)
    for cell in code_cells:
        if "raises-exception" in cell.metadata.get("tags", []):
            continue  # a cell that shows an error on purpose
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name}: {out}"
    # Notebooks with plots must show them: every figure that a cell tagged
    # "figure" draws arrives as an image (the embedding map: an HTML output
    # holding its static PNG, which its script replaces).
    for cell in code_cells:
        if "figure" in cell.metadata.get("tags", []):
            mimes = {m for out in cell.outputs for m in out.get("data", {})}
            html = "".join(out.get("data", {}).get("text/html", "") for out in cell.outputs)
            assert mimes & {"image/png", "image/svg+xml"} or 'src="data:image/png;base64,' in html, \
                f"{path.name}: figure cell without an image"
    check = CHECKS.get(path.name)
    if check:
        check(nb)
    nbformat.write(nb, tmp_path / path.name)


def stdout_of(nb):
    return "".join(out.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for out in c.outputs if out.output_type == "stream")


def knn_top1(text, encoder):
    """The kNN top-1 that a notebook printed under "<encoder>...:"."""
    m = re.search(re.escape(encoder) + r"[^\n]*:\n\s+kNN top-1 ([0-9.]+)%", text)
    assert m, f"no kNN result for {encoder!r}"
    return float(m.group(1))


def probe_top1(text, encoder):
    """The linear-probe top-1 printed on the line after the kNN result."""
    m = re.search(re.escape(encoder) + r"[^\n]*:\n\s+kNN[^\n]*\n\s+linear probe top-1 ([0-9.]+)%", text)
    assert m, f"no linear probe result for {encoder!r}"
    return float(m.group(1))


def check_simclr_tour(nb):
    # Even the CI budget shows learning: the trained encoder beats its own
    # random initialisation (the run is deterministic given its seeds).
    text = stdout_of(nb)
    assert knn_top1(text, "SimCLR, ") > knn_top1(text, "random init")


def check_barlow_twins(nb):
    text = stdout_of(nb)
    assert probe_top1(text, "Barlow Twins, ") > probe_top1(text, "random init")
    # The cross-correlation matrix moves towards the identity: its diagonal grows.
    diag = [float(x) for x in re.findall(r"mean diagonal ([0-9.-]+)", text)]
    assert len(diag) == 2 and diag[1] > diag[0] + 0.2, diag


def scores_07(text, name):
    """(kNN, linear) top-1 of one encoder row of 07's results table."""
    m = re.search(r"^" + re.escape(name) + r"\s+\d+ params\s+kNN\s+([0-9.]+)%\s+linear\s+([0-9.]+)%", text, re.M)
    assert m, f"no scores for {name!r}"
    return float(m.group(1)), float(m.group(2))


def check_s2bnn(nb):
    # What 07's prose says of the CI run. Four numerically different runs
    # (OpenBLAS or pure-Go GEMM, Winograd or im2col convolutions) put
    # S2-BNN - SimCLR at -0.1 to -2.3 on kNN and +0.4 to +4.5 on the linear probe.
    text = stdout_of(nb)
    raw = scores_07(text, "raw pixels (reference)")
    teacher = scores_07(text, "real-valued teacher (small CNN)")
    plain = scores_07(text, "binary student, SimCLR")
    s2 = scores_07(text, "binary student, S2-BNN")
    # "the two binary students end within a few points of each other"; "the
    # paper's direction shows on the linear probe, at a third of its gain or
    # less (+14.6 there), and not on kNN".
    assert abs(s2[0] - plain[0]) <= 3, (s2, plain)
    assert 0 < s2[1] - plain[1] <= 14.6 / 3, (s2, plain)
    # "well below their real-valued teacher on the linear probe and below raw
    # pixels on both measures"; the teacher's kNN is below raw pixels.
    assert teacher[1] > max(plain[1], s2[1]) + 5, (teacher, plain, s2)
    assert raw[0] > max(plain[0], s2[0]) and raw[1] > max(plain[1], s2[1]), (raw, plain, s2)
    assert teacher[0] < raw[0], (teacher, raw)
    # The distillation loss does what it optimises: the distilled student's
    # distributions are closer to the teacher's.
    m = re.search(r"mean KL\(teacher ‖ student\): S2-BNN ([0-9.]+), SimCLR ([0-9.]+)", text)
    assert m and float(m.group(1)) < float(m.group(2)), m and m.group(0)
    # "within about a tenth of a nat of the maximum entropy; the distilled
    # student's distributions slightly flatter than the teacher's, the
    # contrastive student's about as peaked".
    m = re.search(r"mean entropy, nats: teacher ([0-9.]+), binary S2-BNN ([0-9.]+), binary SimCLR ([0-9.]+)", text)
    assert m, "no entropies"
    ht, hs, hp = (float(x) for x in m.groups())
    assert min(ht, hs, hp) > math.log(128) - 0.15, m.group(0)
    assert hs > ht and abs(hp - ht) < abs(hs - ht), m.group(0)


def rows_after(text, header, names):
    """The numbers on the lines named names, in the table whose header line starts with header."""
    block = text[text.index(header):]
    rows = {}
    for name in names:
        m = re.search(r"^" + re.escape(name) + r"\s+((?:[0-9.-]+\s*)+)$", block, re.M)
        assert m, f"no row {name!r} under {header!r}"
        rows[name] = [float(x) for x in m.group(1).split()]
    return rows


def check_triplet(nb):
    # What 08's prose says of the CI run (two runs, OpenBLAS and pure-Go
    # GEMM: SimCLR ended 0.7-1.5 points ahead of both triplet losses).
    text = stdout_of(nb)
    methods = ["SimCLR", "median triplet", "truncated triplet"]
    curves = rows_after(text, "epoch ", methods)
    final = {k: v[-1] for k, v in curves.items()}
    # "none of the three methods gets back to the start within the CI budget"
    for k, v in curves.items():
        assert v[-1] < v[0], (k, v)
    # "within a couple of points of each other, and the triplet losses are not
    # ahead of SimCLR"
    assert max(final.values()) - min(final.values()) <= 2.5, final
    for k in methods[1:]:
        assert final[k] - final["SimCLR"] < 1.0, final
    # The diagnosis: positives > same-class > other-class negatives for all;
    # other-class negatives at about the same cosine; SimCLR's same- vs
    # other-class gap the largest, in difference and in ratio.
    sims = rows_after(text, "mean cosine", methods)
    for k, (pos, same, other, gap) in sims.items():
        assert pos > same > other, (k, sims[k])
    others = [v[2] for v in sims.values()]
    assert max(others) - min(others) < 0.05, sims
    for k in methods[1:]:
        assert sims["SimCLR"][3] > sims[k][3], sims
        assert sims["SimCLR"][1] / sims["SimCLR"][2] > sims[k][1] / sims[k][2], sims


CHECKS = {"01-simclr-tour.ipynb": check_simclr_tour, "05-barlow-twins.ipynb": check_barlow_twins,
          "07-s2bnn.ipynb": check_s2bnn, "08-triplet.ipynb": check_triplet}
