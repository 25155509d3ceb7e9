"""The "Fernhill Observatory" vacancies site of tests/fixtures/sites/fernhill, for `jobtrail serve` tests.

A table listing and one page per vacancy with <h3> "label:" headings over <ol> lists.
Version 1: three vacancies. Version 2: the telescope engineer's requirements change (one
reworded "C or Fortran" -> "C, Rust or Fortran", one removed, one added) and the plate
archivist is gone (closed after the second crawl without it). The night operator's
title, requirement and related link carry script/img/javascript: payloads that must
only ever show as text.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tests.crawl_helpers import run_crawl_cli, write_config
from tests.mockserver import MockServer

SITE = FIXTURES / "sites" / "fernhill"
TELESCOPE = "/vacancies/telescope-control-software-engineer"
NIGHT = "/vacancies/night-operator"
ARCHIVIST = "/vacancies/plate-archivist"
COMPANY = "Fernhill Observatory"
#: the crawls only build the database the serve tests read: no AutoThrottle start delay (~2 s a crawl)
UNTHROTTLED = "[crawl]\nautothrottle_enabled = false\n"
TAG = "astronomy"


def serve_fernhill(server: MockServer, version: int) -> None:
    server.set_file("/vacancies", SITE / f"vacancies_v{version}.html")
    server.set_file(TELESCOPE, SITE / f"telescope_v{version}.html")
    server.set_file(NIGHT, SITE / "night_operator.html")
    if version == 1:
        server.set_file(ARCHIVIST, SITE / "plate_archivist.html")
    else:
        server.remove(ARCHIVIST)


def fernhill_sources(server: MockServer) -> list[dict[str, Any]]:
    """The site, plus a source that always fails (nothing listens on port 9)."""
    return [
        {"name": "fernhill", "url": server.url("/vacancies"), "kind": "page", "company": COMPANY,
         "link_pattern": r"/vacancies/[a-z-]+$", "tags": [TAG]},
        {"name": "brokenlink", "url": "http://127.0.0.1:9/jobs", "kind": "page", "company": "Nowhere Ltd",
         "tags": ["misc"]},
    ]


def crawl_fernhill(server: MockServer, db_url: str, tmp_path: Path) -> Path:
    """Three real crawls (v1, v2, v2): the database every serve test reads. Returns the config."""
    config = write_config(tmp_path, fernhill_sources(server), extra_toml=UNTHROTTLED)
    for version in (1, 2, 2):
        serve_fernhill(server, version)
        result = run_crawl_cli(config, db_url)
        assert result.returncode == 1, result.stdout + result.stderr  # brokenlink fails, fernhill does not
        assert "fernhill" in result.stdout
    return config


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database file (SQLite's backup API), for a test to read or change."""
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        original.close()
        copy.close()
