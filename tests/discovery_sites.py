"""The fixture careers sites of tests/fixtures/sites/<case>/ (site.json + pages), served by the
mock server, and what each must yield (expected.json, written by hand from the pages).

site.json: ``start`` (the listing path), ``routes`` (request path -> file; a path ending in
.gz is served gzip-compressed from the file named), optional ``source`` (extra [[sources]] keys),
``browser`` (true: needs Chromium). expected.json: ``status`` and ``postings`` (path -> title),
optional ``skipped`` (pages discovery reached that are not postings).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tests.mockserver import MockServer

SITES = FIXTURES / "sites"
CONTENT_TYPES = {".txt": "text/plain", ".xml": "application/xml", ".gz": "application/gzip",
                 ".json": "application/json", ".js": "application/javascript"}


def discovery_cases() -> list[str]:
    """Every site with a site.json (acme is the older link_pattern site)."""
    return sorted(path.parent.name for path in SITES.glob("*/site.json"))


def site(case: str) -> dict[str, Any]:
    return json.loads((SITES / case / "site.json").read_text(encoding="utf-8"))


def expected(case: str) -> dict[str, Any]:
    return json.loads((SITES / case / "expected.json").read_text(encoding="utf-8"))


def serve_site(server: MockServer, case: str) -> None:
    for path, name in site(case)["routes"].items():
        status = 200
        if isinstance(name, dict):  # {"file": ..., "status": 503}
            status, name = int(name.get("status", 200)), name["file"]
        file = SITES / case / name
        body = file.read_bytes().replace(b"{{BASE}}", server.base.encode())
        kind = CONTENT_TYPES.get(Path(path.split("?")[0]).suffix) or CONTENT_TYPES.get(file.suffix)
        if path.endswith(".gz") and not name.endswith(".gz"):
            body = gzip.compress(body)
        server.set(path, body, status=status, content_type=kind)


def site_source(server: MockServer, case: str, **extra: Any) -> dict[str, Any]:
    """The [[sources]] entry a new user would write: a name and the listing URL (kind auto)."""
    spec = site(case)
    return {"name": case.replace("_", "-"), "url": server.url(spec["start"]), **spec.get("source", {}), **extra}
