"""Point 8: every --json shape is documented (docs/json.md), versioned, and its moments are ISO 8601
with T and an offset (`deliveries --json` used to print "2026-03-01 09:30:00")."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: json.md documents the shapes; the posting fields inside them are documented once, in posting.md
DOC = "".join((DOCS / name).read_text(encoding="utf-8") for name in ("json.md", "posting.md"))
MOMENT = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def _keys_and_moments(data: Any, keys: set[str], moments: list[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key != "fields" and key != "diff":  # field diffs are documented in diff.md
                keys.add(key)
                _keys_and_moments(value, keys, moments)
    elif isinstance(data, list):
        for item in data:
            _keys_and_moments(item, keys, moments)
    elif isinstance(data, str) and MOMENT.match(data):
        moments.append(data)


def assert_documented(name: str, data: Any) -> list[str]:
    """Schema 1 on objects, every key in docs/json.md, every moment ISO 8601; returns the moments."""
    if isinstance(data, dict):
        assert data["schema"] == 1, name
    keys: set[str] = set()
    moments: list[str] = []
    _keys_and_moments(data, keys, moments)
    undocumented = sorted(key for key in keys if f"`{key}`" not in DOC and f'"{key}"' not in DOC)
    assert not undocumented, f"`jobtrail {name} --json` keys missing from docs/json.md: {undocumented}"
    assert all(ISO.match(moment) for moment in moments), (name, moments)
    return moments


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_json_output_is_documented_and_iso(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    notify = f'[[notify]]\nname = "hook"\nurl = "json://127.0.0.1:{_closed_port()}/"\non = ["new"]\n'
    config = write_config(tmp_path, [{**acme_source(server), "every": "1h"}], extra_toml=notify)
    base = ["-c", str(config), "--db", sqlite_url]
    crawled = run_cli([*base, "crawl", "--json"])
    assert crawled.returncode == 0, crawled.stderr
    run_cli([*base, "run", "--no-crawl", "--quiet"])  # the hook is down: deliveries wait for a retry
    posting = json.loads(run_cli([*base, "history", "Platform Engineer", "--json"]).stdout)["posting"]["id"]

    outputs = {
        "crawl": json.loads(crawled.stdout),
        "sources": json.loads(run_cli([*base, "sources", "--json"]).stdout),
        "changes": json.loads(run_cli([*base, "changes", "--json"]).stdout),
        "history": json.loads(run_cli([*base, "history", str(posting), "--json"]).stdout),
        "show": json.loads(run_cli([*base, "show", str(posting), "--json"]).stdout),
        "search": json.loads(run_cli([*base, "search", "Kubernetes", "--json"]).stdout),
        "deliveries": json.loads(run_cli([*base, "deliveries", "--json"]).stdout),
    }
    for name, data in outputs.items():
        assert data, f"{name} printed nothing to check"
        assert_documented(name, data)
    assert any(row["next_attempt_at"] for row in outputs["deliveries"]), "a retry time was printed"


def test_cycle_json_is_documented_and_iso(server: MockServer, pg_url: str, tmp_path: Path) -> None:
    """`cycle start|status --json` (distributed crawls, PostgreSQL only) keep the same promise."""
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server), {**acme_source(server), "name": "acme-two"}])
    base = ["-c", str(config), "--db", pg_url]
    started = run_cli([*base, "cycle", "start", "--json"])
    assert started.returncode == 0, started.stderr
    status = run_cli([*base, "cycle", "status", "--json"])
    assert status.returncode == 0, status.stderr
    outputs = {"cycle start": json.loads(started.stdout), "cycle status": json.loads(status.stdout)}
    assert outputs["cycle start"]["sources"] == 2 and outputs["cycle status"]["queued"] == 2
    assert outputs["cycle status"]["cycle"] == outputs["cycle start"]["cycle_id"]
    for name, data in outputs.items():
        assert "schema" in data, name
        assert_documented(name, data)
    assert assert_documented("cycle status", outputs["cycle status"]), "cycle status printed its start time"
