"""The benchmark suite still runs: its quickest mode end to end, a table out. No speed is asserted."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_mode_prints_a_table(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BENCH_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].split("|")[0].strip() == "area"
    for area in ("1 throughput", "2 sell-out", "3 scale", "4 posters", "5 memory"):
        assert any(line.startswith(area) for line in lines), f"no {area} row in:\n{proc.stdout}"
    results = (tmp_path / "RESULTS.md").read_text()
    assert "| area | metric |" in results and "CPUs" in results
    assert (tmp_path / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
