"""The shape of the code base, checked: no import cycles, and each layer imports only downwards.

The graph is built with ``ast`` from every module of the three folders (crawler/, pipelines/,
storage/ = jobtrail.crawler, .pipelines, .storage): module-level AND function-level imports
(a function-level import is still a dependency; it only hides a cycle). Importing ``a.b.c``
also imports the packages ``a.b`` and ``a`` (their ``__init__`` runs), so those count too.
Imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"crawler": "jobtrail.crawler", "pipelines": "jobtrail.pipelines", "storage": "jobtrail.storage"}
#: layers that import nothing of the project: the config model, the record vocabulary, URL identity
LEAVES = ("jobtrail.crawler.sources.config", "jobtrail.crawler.items", "jobtrail.crawler.urls",
          "jobtrail.crawler.settings")
#: what storage may import from outside storage: the record vocabulary (field names), a leaf
STORAGE_MAY_IMPORT = {"jobtrail.crawler", "jobtrail.crawler.items"}  # the package __init__ is empty
#: CLI modules that are shared helpers, not commands
CLI_HELPERS = {"jobtrail.crawler.cli", "jobtrail.crawler.cli.context", "jobtrail.crawler.cli.output",
               "jobtrail.crawler.cli.options", "jobtrail.crawler.cli.running"}
#: what "Scrapy networking" means for the pure extractors
NETWORKING = ("scrapy", "twisted", "urllib.request", "http.client", "requests", "httpx", "socket")
#: Scrapy's pure parsing helpers (sitemap XML, gzip) are fine: no engine, no requests
PURE_SCRAPY = ("scrapy.utils.sitemap", "scrapy.utils.gz")


@cache
def modules() -> dict[str, Path]:
    found = {}
    for folder, dotted in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([dotted, *parts])] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(inner) for inner in ast.walk(child))
    return skipped


def imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name ``name`` imports at run time (external ones included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@cache
def graph() -> dict[str, frozenset[str]]:
    """Project module -> project modules it imports (with the packages each import runs)."""
    known = modules()
    edges = {}
    for name, path in known.items():
        targets = set()
        for imported in imported_names(name, path):
            parts = imported.split(".")
            targets.update(".".join(parts[:k]) for k in range(2, len(parts) + 1))
        edges[name] = frozenset(
            t for t in targets if t in known and t != name and not name.startswith(t + ".")
        )
    return edges


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_finds_a_cycle() -> None:
    """The cycle finder itself can fail: a hand-made cycle is reported."""
    edges = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert cycles(edges) == [["a", "b", "c"]]


def test_the_graph_sees_function_level_and_package_imports() -> None:
    edges = graph()
    assert "jobtrail.crawler.sources.registry" in edges["jobtrail.crawler.sources"]  # package __init__
    assert "jobtrail.crawler.extract.base" in edges["jobtrail.crawler.sources.registry"]  # inside a function


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def _project_imports(name: str) -> set[str]:
    return {t for t in graph()[name]}


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaves_import_nothing_of_the_project(leaf: str) -> None:
    assert _project_imports(leaf) == set()


def test_extract_imports_no_storage_pipelines_or_networking() -> None:
    offenders = {}
    for name, path in modules().items():
        if not name.startswith("jobtrail.crawler.extract"):
            continue
        bad = {
            imported for imported in imported_names(name, path)
            if imported.startswith(("jobtrail.storage", "jobtrail.pipelines"))
            or (imported.split(".")[0] in NETWORKING or imported in NETWORKING)
            and not imported.startswith(PURE_SCRAPY)
        }
        if bad:
            offenders[name] = sorted(bad)
    assert offenders == {}


def test_storage_imports_nothing_from_crawler_or_pipelines() -> None:
    offenders = {
        name: sorted(t for t in targets if not t.startswith("jobtrail.storage") and t not in STORAGE_MAY_IMPORT)
        for name, targets in graph().items() if name.startswith("jobtrail.storage")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_no_command_module_imports_another() -> None:
    commands = {name for name in modules() if name.startswith("jobtrail.crawler.cli.") and name not in CLI_HELPERS}
    offenders = {name: sorted(graph()[name] & commands) for name in commands}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_sql_only_in_storage() -> None:
    """SQLAlchemy statements are built in storage/ only (sessions may be passed around)."""
    pattern = re.compile(r"from sqlalchemy import [^\n]*\b(select|insert|update|delete|text|func)\b")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for name, path in modules().items()
        if not name.startswith("jobtrail.storage") and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_fallback_literal_repeats_a_default() -> None:
    """Defaults live in crawler/settings.py; components read settings without their own fallback."""
    pattern = re.compile(r"""settings\.get\w*\(\s*["'][A-Z_]+["']\s*,""")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in modules().values()
        if path.name != "settings.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
