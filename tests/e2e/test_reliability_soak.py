"""The issue's soak (bench/soak.py): 10,000 mixed cells (definitions,
prints, displays, errors, goroutines, interrupts every 500 cells), ~20-30 s.
The issue's bar: RSS at the end within 10% of RSS after 1,000 cells, and no
goroutine growth. The kernel measures +4.3% to +4.8% (bench/README.md,
"Soak"); before interp/retain.go it grew +168% (10.59 KiB a cell)."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_soak_has_no_goroutine_leak_and_bounded_rss(gossl_bin):
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--cells", "10000", "--base", "1000"],
                       capture_output=True, text=True, timeout=900, env=os.environ)
    print(p.stdout)
    assert "RSS after" in p.stdout, p.stderr[-2000:]
    assert p.returncode == 0, p.stdout[-2000:]
