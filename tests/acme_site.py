"""The "Acme Robotics" careers site of tests/fixtures/sites/acme, served by the mock server.

Version 1: three postings. Version 2: one requirement reworded (1001), one posting gone
(1003), one new (1004) — the change every crawl test looks for.
"""

from __future__ import annotations

from tests.conftest import FIXTURES
from tests.mockserver import MockServer

SITE = FIXTURES / "sites" / "acme"


def serve_acme(server: MockServer, version: int) -> None:
    server.set_file("/careers", SITE / f"listing_v{version}.html")
    server.set_file("/jobs/1001-platform-engineer", SITE / f"posting_1001_v{version}.html")
    server.set_file("/jobs/1002-data-analyst", SITE / "posting_1002.html")
    if version == 1:
        server.set_file("/jobs/1003-support-lead", SITE / "posting_1003.html")
    else:
        server.remove("/jobs/1003-support-lead")
        server.set_file("/jobs/1004-security-engineer", SITE / "posting_1004.html")


def acme_source(server: MockServer) -> dict[str, object]:
    return {"name": "acme", "url": server.url("/careers"), "kind": "page", "link_pattern": r"/jobs/\d+-"}
