"""`gossl exec` runs notebooks without Jupyter: the tutorial (as `make
tutorial` runs it) and the light notebooks 02–04 — every notebook with
GOSSL_EXEC_ALL=1; test_notebooks.py runs the training walkthroughs through
nbclient, so CI trains each once — and writes a notebook that nbformat's own
validator accepts, with every figure as an image, and an HTML page that
shows them; parameters, errors, timeouts and Ctrl-C behave as papermill
and nbclient users expect."""
import base64
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from test_notebooks import CHECKS

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALL = sorted((ROOT / "notebooks").glob("*.ipynb"))
BY_DEFAULT = ("01-", "02-", "03-", "04-")  # the tutorial and the light ones
NOTEBOOKS = [p for p in ALL if os.environ.get("GOSSL_EXEC_ALL") == "1" or p.name.startswith(BY_DEFAULT)]


def exec_notebook(gossl_bin, *args, timeout=900):
    return subprocess.run([gossl_bin, "exec", *map(str, args)], capture_output=True, text=True, timeout=timeout)


def validate(path):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    return nb


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def write_notebook(path, *sources, tags=None):
    tags = tags or {}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "gossl", "display_name": "Go (gossl)", "language": "go"}
    for i, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src)
        if i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exec_runs_every_notebook(path, gossl_bin, tmp_path):
    out, page = tmp_path / path.name, tmp_path / (path.stem + ".html")
    r = exec_notebook(gossl_bin, path, "-o", out, "--html", page)
    assert r.returncode == 0, r.stderr
    # one progress line per code cell, then the summary
    source = nbformat.read(str(path), as_version=4)
    n = len(code_cells(source))
    assert len(re.findall(r"^\[\s*\d+/%d\] In \[\d+\]" % n, r.stderr, re.M)) == n, r.stderr
    nb = validate(out)
    cells = code_cells(nb)
    assert [c.execution_count for c in cells] == list(range(1, n + 1))
    pngs = 0
    for cell in cells:
        tags = cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in tags:
            assert errors, f"{path.name}: a raises-exception cell did not fail"
        else:
            assert not errors, f"{path.name}: {errors[0]}"
        if "figure" in tags:
            mimes = {m for o in cell.outputs for m in o.get("data", {})}
            assert mimes & {"image/png", "text/html"}, f"{path.name}: figure cell without an image"
        for o in cell.outputs:
            if "image/png" in o.get("data", {}):
                pngs += 1
                meta = o.metadata.get("image/png", {})
                assert "width" in meta, f"{path.name}: PNG without its display size"
    html = page.read_text(encoding="utf-8")
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) >= pngs
    check = CHECKS.get(path.name)  # what the notebook must show (the tutorial: learning)
    if check:
        check(nb)
    assert "\x1b[" not in html


def test_exec_parameters_typed_like_the_defaults(gossl_bin, tmp_path):
    nb = write_notebook(tmp_path / "p.ipynb",
                        'import "fmt"',
                        'var epochs = 3\nvar lr float32 = 0.01\nvar name = "default"\nvar fast = false',
                        'fmt.Printf("%d %T %v %q %v\\n", epochs*2, lr, lr, name, fast)',
                        tags={1: ["parameters"]})
    out = tmp_path / "out.ipynb"
    r = exec_notebook(gossl_bin, nb, "-p", "epochs=10", "-p", "lr=0.5", "-p", "name=my run", "-p", "fast=true", "-o", out)
    assert r.returncode == 0, r.stderr
    res = validate(out)
    injected = res.cells[2]
    assert injected.metadata.tags == ["injected-parameters"]
    assert 'name = "my run"' in injected.source
    assert res.cells[3].outputs[0].text == '20 float32 0.5 "my run" true\n'

    r = exec_notebook(gossl_bin, nb, "-p", "epochs=ten")
    assert r.returncode != 0 and "epochs" in r.stderr and "ten" in r.stderr


def test_exec_stops_at_the_first_error(gossl_bin, tmp_path):
    nb = write_notebook(tmp_path / "e.ipynb",
                        'import "fmt"',
                        'panic("expected")',
                        'var s []int\n_ = s[3]',
                        'fmt.Println("after")',
                        tags={1: ["raises-exception"]})
    out = tmp_path / "out.ipynb"
    r = exec_notebook(gossl_bin, nb, "-o", out)
    assert r.returncode == 1, r.stderr
    assert "cell 3" in r.stderr
    res = validate(out)  # written even after a failure
    err = [o for o in res.cells[2].outputs if o.output_type == "error"]
    assert err and err[0].ename and err[0].traceback
    assert res.cells[3].outputs == [] and res.cells[3].execution_count is None

    r = exec_notebook(gossl_bin, nb, "-o", out, "--allow-errors")
    assert r.returncode == 0, r.stderr
    assert validate(out).cells[3].outputs[0].text == "after\n"


def test_exec_timeout_interrupts_a_cell(gossl_bin, tmp_path):
    nb = write_notebook(tmp_path / "t.ipynb", "n := 0\nfor {\n\tn++\n}", '"not reached"')
    out = tmp_path / "out.ipynb"
    r = exec_notebook(gossl_bin, nb, "-o", out, "--timeout", "2s", timeout=120)
    assert r.returncode == 1, r.stderr
    err = validate(out).cells[0].outputs[-1]
    assert err.output_type == "error" and err.ename == "CellTimeoutError" and "2s" in err.evalue


def test_exec_ctrl_c_interrupts_and_keeps_outputs(gossl_bin, tmp_path):
    nb = write_notebook(tmp_path / "c.ipynb", 'import "fmt"', 'fmt.Println("started")\nn := 0\nfor {\n\tn++\n}', '"not reached"')
    out = tmp_path / "out.ipynb"
    p = subprocess.Popen([gossl_bin, "exec", str(nb), "-o", str(out)], stderr=subprocess.PIPE, text=True)
    # wait for the looping cell to start
    seen = ""
    while "[2/3]" not in seen and "In [2]" not in seen:
        line = p.stderr.readline()
        if not line:
            break
        seen += line
        if "[1/3]" in line:
            time.sleep(1.0)
            p.send_signal(signal.SIGINT)
    rest = p.communicate(timeout=60)[1]
    assert p.returncode == 130, seen + rest
    res = validate(out)
    outs = res.cells[1].outputs
    assert outs[0].text == "started\n"
    assert outs[-1].output_type == "error" and outs[-1].ename == "Interrupted"


def test_nbconvert_export_of_exec_output_shows_every_plot(gossl_bin, tmp_path):
    """nbconvert 6.5 (Debian's) prefers SVG and its sanitiser blanks it: the
    charts' bundles carry a PNG only, so its HTML export shows each one as
    an <img> at the chart's display size."""
    src = ROOT / "notebooks" / "04-display.ipynb"
    out = tmp_path / "04.ipynb"
    r = exec_notebook(gossl_bin, src, "-o", out)
    assert r.returncode == 0, r.stderr
    subprocess.run(["/usr/bin/python3", "-m", "nbconvert", "--to", "html", str(out)],
                   check=True, capture_output=True, timeout=300)
    html = (tmp_path / "04.html").read_text(encoding="utf-8")
    nb = validate(out)
    figures = [c for c in code_cells(nb) if "figure" in c.metadata.get("tags", [])]
    assert figures
    svgs = [o for c in code_cells(nb) for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert not svgs, "a chart still ships an SVG that nbconvert would blank"
    for m in re.finditer(r'<img src="data:image/png;base64,([^"]+)"\s*width=(\d+)\s*height=(\d+)', html):
        raw = base64.b64decode(m.group(1))
        w = int.from_bytes(raw[16:20], "big")
        assert w >= int(m.group(2)), "PNG smaller than its display size"
    shown = len(re.findall(r'<img [^>]*src="data:image/png;base64,', html))
    assert shown >= len(figures), f"{shown} images in the export for {len(figures)} figures"
