"""The four parts stay sealed: import-linter's contracts (pyproject.toml) hold on the code as it is,
and break, naming the import, when a rule reaches up into Telegram, a view reaches into the
handlers, or two handler modules import each other."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "views", "images", "db")
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (pip install -e '.[test]')")


def lint(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT), "--no-cache", str(tree / "pyproject.toml")], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("db/booking.py", "import telegram", "Rules and storage know nothing of Telegram"),
    ("views/keyboards.py", "import handlers.screens", "Layers"),
    ("handlers/events.py", "import handlers.booking", "No import cycles"),
    ("handlers/events.py", "from sqlalchemy import select", "never query"),
])
def test_a_deliberate_violation_breaks_the_build(tmp_path, module, line, broken):
    tree = copy_of_the_code(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\n{line}  # the violation\n")
    result = lint(tree)
    assert result.returncode != 0
    broken_lines = [l for l in result.stdout.splitlines() if l.endswith("BROKEN")]
    assert len(broken_lines) == 1 and broken in broken_lines[0], result.stdout
    importer = module.removesuffix(".py").split("/")[-1]
    assert f"{importer} ->" in result.stdout  # the report names the import to remove
