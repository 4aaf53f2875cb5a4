"""The notebooks execute end to end through nbclient with the installed
kernel, as Jupyter runs them. The tutorial (01) is run by test_exec.py
instead, through `gossl exec` as `make tutorial` runs it, so that CI trains
each notebook once; its checks live here beside the others."""
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


CHECKS = {"01-simclr-tour.ipynb": check_simclr_tour, "05-barlow-twins.ipynb": check_barlow_twins}
