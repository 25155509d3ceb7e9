"""jobtrail installs as ONE top-level package, `jobtrail`, and works from a wheel.

The repository's folders crawler/, pipelines/, storage/ install as jobtrail.crawler,
jobtrail.pipelines, jobtrail.storage (pyproject's package-dir mapping). These tests build the
real wheel from a copy of the tree, read its file list, install it in a fresh venv and run
`jobtrail demo` from there, in a temporary working directory (so nothing of the checkout
is importable by accident).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("crawler", "pipelines", "storage")
#: a bare import of a folder name (it would only work from the repository root, never installed),
#: also inside a code string a child process runs with `python -c` (a quote or ; before the import)
BARE_IMPORT = re.compile(r"""(?:^\s*|["';]\s*)(?:from|import)\s+(?:crawler|pipelines|storage)\b""", re.M)
#: a dotted module path written as a string (settings, entry points) or in scrapy.cfg
BARE_DOTTED = re.compile(
    r"""(?<!["'])["'](?:crawler|pipelines|storage)\.[a-z_]+|^\w+\s*=\s*(?:crawler|pipelines|storage)\.""", re.M
)

pytestmark = pytest.mark.packaging


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def project_files(*suffixes: str) -> list[Path]:
    skip = {".git", "build", "dist", "__pycache__", ".benchmarks"}
    return [
        path for path in ROOT.rglob("*")
        if path.suffix in suffixes and path.is_file()
        and not (set(path.relative_to(ROOT).parts) & skip) and not path.parts[-2].endswith(".egg-info")
    ]


def test_no_bare_imports_anywhere() -> None:
    """Belt and braces for ruff's TID251 rule: every .py file imports jobtrail.* only."""
    offenders = [str(p.relative_to(ROOT)) for p in project_files(".py") if BARE_IMPORT.search(p.read_text("utf-8"))]
    assert offenders == []


def test_no_bare_dotted_module_strings() -> None:
    """Dotted setting strings, scrapy.cfg and entry points name jobtrail.* modules."""
    files = [*project_files(".py"), ROOT / "scrapy.cfg", ROOT / "pyproject.toml"]
    offenders = {
        str(path.relative_to(ROOT)): BARE_DOTTED.findall(path.read_text("utf-8"))
        for path in files if BARE_DOTTED.search(path.read_text("utf-8"))
    }
    assert offenders == {}


def test_every_package_folder_is_listed() -> None:
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {
        "jobtrail." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == set()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real wheel, built offline from a clean copy of the tree (no build/ or egg-info left behind)."""
    source = tmp_path_factory.mktemp("src")
    for name in FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("jobtrail-*.whl")
    return found


def test_wheel_holds_only_jobtrail(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    version = pyproject()["project"]["version"]
    assert top == {"jobtrail", f"jobtrail-{version}.dist-info"}
    assert "jobtrail/__init__.py" not in names  # a namespace package: nothing claims `jobtrail` itself


def test_wheel_holds_every_data_file(wheel: Path) -> None:
    """Demo site, templates, static files, Alembic's script template and migrations are inside."""
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        "jobtrail/" + path.relative_to(ROOT).as_posix()
        for folder in FOLDERS for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert wanted - names == set()
    assert "jobtrail/storage/migrations/script.py.mako" in names
    assert any(re.fullmatch(r"jobtrail/storage/migrations/versions/0001_\w+\.py", n) for n in names)
    assert any(n.startswith("jobtrail/crawler/demo_site/v1/") for n in names)


def test_installed_wheel_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    """A fresh venv, the wheel installed (no source tree on the path), `jobtrail demo` from a temp cwd.

    The venv gets no network: the wheel goes in with --no-deps --no-index, and the dependencies
    (pip too) come from this interpreter's site-packages through a .pth line (a plain path entry: the
    editable install's finder there is never activated, so only the wheel provides jobtrail).
    """
    venv = tmp_path / "venv"
    # no ensurepip (~5 s) when the pip that installs the wheel comes through the .pth line like every dependency
    pip_on_pth = (Path(sysconfig.get_paths()["purelib"]) / "pip").is_dir()
    subprocess.run([sys.executable, "-m", "venv", *(["--without-pip"] if pip_on_pth else []), str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "jobtrail-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    where = subprocess.run([str(python), "-c", "import jobtrail.crawler as c; print(c.__file__)"],
                           capture_output=True, text=True, cwd=cwd, env=env, check=True)
    assert where.stdout.strip().startswith(str(site)), where.stdout  # the wheel's copy, not the checkout
    demo = subprocess.run([str(venv / "bin" / "jobtrail"), "demo", "--dir", str(cwd / "demo")],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=240)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "+ Proficiency in OCaml" in demo.stdout
