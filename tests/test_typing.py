"""mypy --strict is clean on storage/ and pipelines/diff.py (the layers everything else trusts).

The folders install as jobtrail.crawler/.pipelines/.storage through pyproject's package-dir
mapping, which mypy cannot follow from the tree; so the test lays out a link farm
``tmp/jobtrail/{crawler,pipelines,storage}`` pointing at the checkout and type-checks the
real module names (``-p jobtrail.storage``). Configuration: [tool.mypy] in pyproject.toml.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRICT = ("jobtrail.storage", "jobtrail.pipelines.diff")


def link_farm(where: Path) -> Path:
    package = where / "jobtrail"
    package.mkdir()
    for folder in ("crawler", "pipelines", "storage"):
        (package / folder).symlink_to(ROOT / folder, target_is_directory=True)
    return where


def run_mypy(farm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(farm)}
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(farm / ".mypy_cache"), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=farm, env=env, timeout=300)


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mypy", reason="mypy is in the test extras: pip install -e '.[test]'")
    return link_farm(tmp_path_factory.mktemp("typing"))


def test_strict_on_storage_and_diff(farm: Path) -> None:
    result = run_mypy(farm, "--strict", *(arg for name in STRICT for arg in ("-p", name)))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_check_can_fail(farm: Path, tmp_path: Path) -> None:
    """A module with a type error in the same setup is reported (the farm really is checked)."""
    broken = farm / "jobtrail_typing_probe.py"
    broken.write_text("def half(n: int) -> int:\n    return n / 2\n", encoding="utf-8")
    result = run_mypy(farm, "--strict", str(broken))
    assert result.returncode == 1 and "Incompatible return value type" in result.stdout
