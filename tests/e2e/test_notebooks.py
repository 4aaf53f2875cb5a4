"""Every notebook in notebooks/ executes end to end through nbclient with
the installed kernel, as `make tutorial` and Jupyter run them."""
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


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
    nbformat.write(nb, tmp_path / path.name)
