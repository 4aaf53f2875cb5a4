"""The issue's soak (bench/soak.py): 10,000 mixed cells (definitions,
prints, displays, errors, goroutines, interrupts every 500 cells), ~20-30 s.
Goroutines must not grow, and RSS may grow at most 2 KiB a cell after the
first 1,000 cells. That is a regression guard, not the issue's bar (RSS at
the end within 10% of RSS after 1,000 cells), which is not met: with the
history in a file and dead position tables and temporaries released
(interp/retain.go) the kernel measures +14.8% (0.86 KiB a cell); giving
finished cells' frame slots back met it (+4.3% to +7.1%) but broke cells
that run code compiled earlier, so it was taken out (bench/README.md,
"Soak"). Before interp/retain.go the kernel measured 10.59 KiB a cell."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_soak_has_no_goroutine_leak_and_bounded_rss(gossl_bin):
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--cells", "10000", "--base", "1000",
                        "--budget-kb", "2"],
                       capture_output=True, text=True, timeout=900, env=os.environ)
    print(p.stdout)
    assert "RSS after" in p.stdout, p.stderr[-2000:]
    assert p.returncode == 0, p.stdout[-2000:]
