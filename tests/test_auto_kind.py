"""kind = "auto" decides at crawl time: an embedded ATS board is read through its API, else the page."""

from __future__ import annotations

import json
from pathlib import Path

from jobtrail.crawler.extract.base import Page
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.registry import resolve_kind
from jobtrail.storage.models import Posting
from tests.acme_site import serve_acme
from tests.conftest import FIXTURES
from tests.crawl_helpers import rows, run_crawl_cli, write_config
from tests.mockserver import MockServer

CAREERS = SourceConfig(name="northwind", url="https://northwind.example/careers", kind="auto")


def test_auto_follows_an_embedded_greenhouse_board_through_its_api() -> None:
    kind = resolve_kind(CAREERS)
    assert kind.key == "auto"
    [start] = kind.start(CAREERS)
    careers_html = (FIXTURES / "detect" / "greenhouse-embed.html").read_bytes()
    parsed = kind.parse(Page(url=start.url, body=careers_html, role=start.role, data=start.data), CAREERS)
    assert not parsed.postings
    [api] = parsed.follow
    assert "boards-api.greenhouse.io/v1/boards/northwind/jobs" in api.url and api.is_api

    board = (FIXTURES / "greenhouse" / "board" / "input.json").read_bytes()
    postings = kind.parse(Page(url=api.url, body=board, role=api.role, data=api.data), CAREERS).postings
    expected = json.loads((FIXTURES / "greenhouse" / "board" / "expected.json").read_text())
    assert [p.external_id for p in postings] == [p["external_id"] for p in expected]
    assert all(p.source == "northwind" for p in postings)


def test_an_ats_url_needs_no_detection() -> None:
    source = SourceConfig(name="k", url="https://jobs.lever.co/kestrel", kind="auto")
    assert resolve_kind(source).key == "lever"


def test_auto_on_a_plain_careers_page_crawls_it_as_html(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [{"name": "acme", "url": server.url("/careers"), "link_pattern": r"/jobs/\d+-"}])
    result = run_crawl_cli(config, sqlite_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p["external_id"] for p in rows(sqlite_url, Posting)) == ["1001", "1002", "1003"]
    assert server.requested("/careers") and len(server.requested("/careers")) == 1, "detection reuses the fetch"
