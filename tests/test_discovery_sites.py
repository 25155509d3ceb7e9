"""Every fixture careers site crawled end to end (the real `jobtrail crawl`, a real HTTP server on
127.0.0.1, SQLite): exactly its postings, no extra, none missing, with the right titles, and the
right status word. No link_pattern anywhere: discovery by structure, paging, sitemaps, browser."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jobtrail.storage.models import CrawlRun, Posting
from tests.crawl_helpers import rows, run_crawl_cli, write_config
from tests.discovery_sites import discovery_cases, expected, serve_site, site, site_source
from tests.mockserver import MockServer

def crawl_site(server: MockServer, case: str, db_url: str, tmp_path: Path, *args: str):
    serve_site(server, case)
    config = write_config(tmp_path, [site_source(server, case)], db_url=db_url)
    return run_crawl_cli(config, db_url, "--json", *args)


def stored_postings(db_url: str) -> dict[str, str]:
    return {urlsplit(row["url"]).path + (f"?{urlsplit(row['url']).query}" if urlsplit(row["url"]).query else ""):
            row["title"] for row in rows(db_url, Posting)}


@pytest.mark.parametrize("case", discovery_cases())
def test_site_yields_exactly_its_postings(server: MockServer, sqlite_url: str, tmp_path: Path, case: str) -> None:
    if site(case).get("browser"):
        pytest.importorskip("scrapy_playwright")
    want = expected(case)

    result = crawl_site(server, case, sqlite_url, tmp_path)

    summary = json.loads(result.stdout or "[]")
    assert len(summary) == 1, result.stderr[-3000:]
    assert summary[0]["status"] == want["status"], summary[0]
    assert result.returncode == (0 if want["status"] == "ok" else 1)
    assert stored_postings(sqlite_url) == want["postings"]
    if "skipped" in want:
        assert summary[0]["skipped"] == want["skipped"], summary[0]
    (run,) = rows(sqlite_url, CrawlRun)
    assert run["status"] == want["status"]
