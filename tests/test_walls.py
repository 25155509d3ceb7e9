"""Wall detection on saved pages: each case's expected.json was written by hand from the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobtrail.crawler.extract.walls import detect_wall
from tests.conftest import FIXTURES

CASES = sorted(p for p in (FIXTURES / "walls").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_wall_fixture(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    wall = detect_wall((case / "input.html").read_text(encoding="utf-8"))
    assert (wall.kind if wall else None) == expected["wall"]
    if expected.get("vendor"):
        assert wall is not None and wall.detail == expected["vendor"]


def test_cloudflare_header_alone_is_a_challenge() -> None:
    wall = detect_wall("<html><body>loading</body></html>", {"cf-mitigated": "challenge"})
    assert wall is not None and wall.kind == "bot challenge"


def test_a_page_with_a_jobposting_is_never_a_thin_wall() -> None:
    page = ('<html><head><title>Access denied? Never: Security Guard</title>'
            '<script type="application/ld+json">{"@type": "JobPosting", "title": "Security Guard"}</script>'
            '</head><body><h1>Access denied</h1></body></html>')
    assert detect_wall(page) is None
