"""notebooks/04-display.ipynb in a real browser: Debian's classic Notebook
server on 127.0.0.1 runs every cell with the gossl kernel in headless
Chromium; the page must show each plot, the table and the embedding map's
points (zoomable, with hover), with no errors in the cells or the browser
console. A full-page screenshot is saved under a temporary directory (or
$GOSSL_ARTIFACTS) for CI to keep."""
import base64
import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

selenium = pytest.importorskip("selenium", reason="python3-selenium is needed for browser tests")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04-display.ipynb"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
NOTEBOOK_SERVER = os.environ.get("JUPYTER_NOTEBOOK", "/usr/bin/jupyter-notebook")
RUN_TIMEOUT = 300


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # the page may still be loading
            last = e
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The classic Notebook server on 127.0.0.1 with a random token, serving
    a copy of the notebook from a temporary directory."""
    for tool in (CHROMIUM, CHROMEDRIVER, NOTEBOOK_SERVER):
        if not os.path.exists(tool):
            pytest.skip(f"{tool} is not installed (apt: chromium chromium-driver jupyter-notebook)")
    root = tmp_path_factory.mktemp("nbroot")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    config = tmp_path_factory.mktemp("jupyter-config")
    token = secrets.token_hex(16)
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config))
    log = open(root / "server.log", "wb")
    argv = [NOTEBOOK_SERVER, "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
            f"--notebook-dir={root}", f"--NotebookApp.token={token}", "--NotebookApp.password="]
    if os.geteuid() == 0:  # CI containers run as root; the server refuses without this
        argv.append("--allow-root")
    proc = subprocess.Popen(
        argv,
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            if proc.poll() is not None:
                raise pytest.fail(f"notebook server exited: {(root / 'server.log').read_text()[-2000:]}")
            return urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).status == 200
        _wait(up, 60, "the notebook server")
        yield {"base": base, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000"):
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(server, browser):
    """The notebook opened, all cells run to the end."""
    browser.get(f"{server['base']}/notebooks/{NOTEBOOK.name}?token={server['token']}")
    _wait(lambda: browser.execute_script(
        "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
        " && Jupyter.notebook.kernel.is_connected())"), 90, "the gossl kernel to connect")
    browser.execute_script("Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells();")

    def finished():
        return browser.execute_script("""
            var cells = Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; });
            var done = cells.every(function (c) {
                var n = c.input_prompt_number;
                return typeof n === 'number';
            });
            return done && !Jupyter.notebook.kernel_busy;""")
    _wait(finished, RUN_TIMEOUT, "every cell to run")
    time.sleep(1)  # let the last outputs and their scripts settle
    return browser


def _artifact_dir():
    d = os.environ.get("GOSSL_ARTIFACTS") or tempfile.mkdtemp(prefix="gossl-display-")
    os.makedirs(d, exist_ok=True)
    return pathlib.Path(d)


def test_no_cell_errors(page):
    errors = page.execute_script("""
        return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; })
            .map(function (c) { return c.output_area.outputs; })
            .reduce(function (a, b) { return a.concat(b); }, [])
            .filter(function (o) { return o.output_type === 'error'; })
            .map(function (o) { return o.ename + ': ' + o.evalue; });""")
    assert errors == []


def test_every_figure_cell_shows_an_image(page):
    figures = page.execute_script("""
        return Jupyter.notebook.get_cells()
            .filter(function (c) { return c.cell_type === 'code' && (c.metadata.tags || []).indexOf('figure') >= 0; })
            .map(function (c) {
                var el = c.output_area.element[0];
                var imgs = el.querySelectorAll('.output_png img, .output_svg svg, .output_html svg');
                var sizes = Array.prototype.map.call(imgs, function (i) {
                    var r = i.getBoundingClientRect(); return [r.width, r.height]; });
                return {source: c.get_text().split('\\n').pop(), images: sizes};
            });""")
    assert len(figures) >= 10
    for f in figures:
        assert f["images"], f"no image shown for: {f['source']}"
        w, h = f["images"][0]
        assert w > 100 and h > 50, f"image too small ({w}x{h}) for: {f['source']}"
    # charts arrive as SVG (preferred over PNG by the frontend) with fonts embedded
    svgs = page.find_elements(By.CSS_SELECTOR, ".output_svg svg")
    assert len(svgs) >= 7
    assert "@font-face" in svgs[0].get_attribute("innerHTML")


def test_table_is_rendered(page):
    tables = page.find_elements(By.CSS_SELECTOR, ".output_html table.gossl-table")
    assert tables, "no table in the page"
    text = tables[0].text
    for want in ("Method", "Top1", "Barlow Twins", "0.861", "4 rows"):
        assert want in text


def test_text_kinds_are_rendered(page):
    html = page.find_element(By.ID, "gossl-html-demo")
    assert html.text == "HTML from a Go cell"
    md = page.find_elements(By.CSS_SELECTOR, ".output_markdown strong")
    assert any(e.text == "Self-supervised" for e in md)
    # LaTeX is typeset by the Notebook's MathJax
    _wait(lambda: page.find_elements(By.CSS_SELECTOR, ".output_latex .MathJax_Display, .output_latex .MathJax"),
          30, "MathJax to typeset the LaTeX output")
    # the self-rendering type's HTML replaced its text
    assert page.find_elements(By.XPATH, "//div[contains(@class,'output_html')]//b[text()='21.5 °C']")


def test_updates_replaced_their_outputs(page):
    texts = page.execute_script("""
        return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; })
            .map(function (c) { return c.output_area.element[0].innerText; });""")
    status = [t for t in texts if "epoch 5 of 5 done" in t]
    assert status and "waiting" not in status[0] and "epoch 4" not in status[0]
    progress = [t for t in texts if "300/300" in t]
    assert len(progress) == 1 and progress[0].count("300/300") == 1, progress
    bars = page.find_elements(By.CSS_SELECTOR, ".gossl-progress progress")
    assert len(bars) == 1 and bars[0].get_attribute("value") == "300"


def test_embedding_map_points_zoom_and_hover(page):
    maps = page.find_elements(By.CSS_SELECTOR, ".gossl-embedding-map")
    assert len(maps) == 1
    m = maps[0]
    points = m.find_elements(By.CSS_SELECTOR, "circle.gm-point")
    assert len(points) == 1000
    legend = [e.text for e in m.find_elements(By.CSS_SELECTOR, ".gm-class")]
    assert legend == ["airplane", "car", "bird", "cat", "dog"]

    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", m)
    view = m.find_element(By.CSS_SELECTOR, "g.gm-view")
    before = view.get_attribute("transform")
    svg = m.find_element(By.TAG_NAME, "svg")
    page.execute_script("""
        var svg = arguments[0], r = svg.getBoundingClientRect();
        svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));""", svg)
    after = view.get_attribute("transform")
    assert after and after != before and "scale(1.2)" in after

    page.execute_script("arguments[0].dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));", svg)
    target = points[0]
    ActionChains(page).move_to_element(target).perform()
    tip = m.find_element(By.CSS_SELECTOR, ".gm-tip")
    _wait(lambda: tip.is_displayed(), 10, "the hover tooltip")
    assert target.get_attribute("data-label") in tip.text
    assert tip.find_element(By.TAG_NAME, "img").get_attribute("src").startswith("data:image/png;base64,")


def _known_noise(message):
    """Console errors the Notebook itself causes, not gossl's outputs:
    MathJax 2 declares a probe font "MathJax_Blank" with src about:blank,
    which Chromium reports as a blocked load whenever it typesets."""
    return "favicon.ico" in message or "about:blank" in message


def test_no_console_errors(page):
    entries = page.get_log("browser")
    severe = [e for e in entries if e["level"] == "SEVERE" and not _known_noise(e["message"])]
    assert severe == [], json.dumps(severe, indent=1)


def test_screenshot(page):
    """Whole notebook in one image: the page scrolls inside #site, so let it
    grow to its content and size the viewport to match."""
    height = page.execute_script("""
        var site = document.getElementById('site');
        site.style.height = 'auto'; site.style.overflow = 'visible';
        document.body.style.overflow = 'visible';
        return Math.ceil(document.getElementById('notebook').getBoundingClientRect().bottom) + 40;""")
    height = min(int(height), 16000)
    page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                         {"width": 1400, "height": height, "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.5)
    shot = page.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path = _artifact_dir() / "04-display.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")
    assert path.stat().st_size > 50_000
    page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
