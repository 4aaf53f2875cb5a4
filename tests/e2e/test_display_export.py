"""notebooks/04-display.ipynb executed by nbclient and exported by
nbconvert to HTML, as a notebook viewer or a CI artifact shows it: the
export carries every plot, the table and the embedding map, and the map's
inline script works from a file:// page with no network."""
import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04-display.ipynb"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def executed(kernel_name):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, kernel_name=kernel_name, timeout=300,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


@pytest.fixture(scope="module")
def exported(executed, tmp_path_factory):
    html, _ = HTMLExporter().from_notebook_node(executed)
    path = tmp_path_factory.mktemp("export") / "04-display.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_outputs_carry_every_kind(executed):
    mimes = [set(o.get("data", {})) for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    for kind in ("image/png", "text/html", "text/markdown", "text/latex", "application/json"):
        assert any(kind in m for m in mimes), f"no {kind} output"
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]


def test_export_contains_plots_table_and_map(exported):
    html = exported.read_text(encoding="utf-8")
    # Charts are PNGs (nbconvert 6.5 would blank an SVG), none embeds a font
    assert "@font-face" not in html and 'data-mime-type="image/svg+xml"' not in html
    assert html.count('<img src="data:image/png;base64,') >= 9
    assert 'class="gossl-table"' in html and "Barlow Twins" in html
    # the map: its static image, and the script that replaces it
    assert html.count('class="gm-static" src="data:image/png;base64,') == 1


def test_exported_map_works_offline(exported, tmp_path):
    selenium = pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromium-driver are not installed")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.get(exported.as_uri())
        m = driver.find_element(By.CSS_SELECTOR, ".gossl-embedding-map")
        assert len(m.find_elements(By.CSS_SELECTOR, "circle.gm-point")) == 1000
        assert not m.find_elements(By.CSS_SELECTOR, "img.gm-static"), "the static image stayed beside the live map"
        view = m.find_element(By.CSS_SELECTOR, "g.gm-view")
        driver.execute_script("""
            var svg = arguments[0].querySelector('svg'), r = svg.getBoundingClientRect();
            svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + 10,
                clientY: r.top + 10, bubbles: true, cancelable: true}));""", m)
        assert "scale(1.2)" in (view.get_attribute("transform") or ""), "the map's script did not run"
    finally:
        driver.quit()
