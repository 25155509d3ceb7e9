"""Point 6 of the operator's day: a closed posting says so everywhere (it used to look open).

Acme's "Support Lead" (1003) disappears in version 2 of the site; two successful crawls
without it close it. Then show, history, search, changes and export (text and JSON) say
closed, with when; every JSON moment is ISO 8601 with T and an offset.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def _closed_support_lead(server: MockServer, db_url: str, tmp_path: Path) -> tuple[list[str], int]:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    base = ["-c", str(config), "--db", db_url]
    assert run_cli([*base, "crawl"]).returncode == 0
    serve_acme(server, 2)
    for _ in range(2):
        assert run_cli([*base, "crawl"]).returncode == 0
    found = json.loads(run_cli([*base, "history", "Support Lead", "--json"]).stdout)
    return base, found["posting"]["id"]


def test_closed_posting_says_closed_everywhere(server: MockServer, db_url: str, tmp_path: Path) -> None:
    base, posting = _closed_support_lead(server, db_url, tmp_path)

    shown = json.loads(run_cli([*base, "show", str(posting), "--json"]).stdout)
    assert shown["schema"] == 1 and shown["status"] == "closed"
    assert all(ISO.match(shown[key]) for key in ("first_seen", "last_seen", "closed_at", "observed_at"))
    closed_on = shown["closed_at"][:10]
    assert f"closed on {closed_on}" in run_cli([*base, "show", str(posting)]).stdout

    history = run_cli([*base, "history", "Support Lead"])
    assert f"closed on {closed_on}" in history.stdout
    assert json.loads(run_cli([*base, "history", str(posting), "--json"]).stdout)["posting"]["status"] == "closed"

    search = run_cli([*base, "search", "Zendesk administration"])
    assert f"until it closed on {closed_on}" in search.stdout and "still present" not in search.stdout
    hits = json.loads(run_cli([*base, "search", "Zendesk administration", "--json"]).stdout)
    assert [(h["status"], h["closed_at"]) for h in hits] == [("closed", shown["closed_at"])]

    changes = json.loads(run_cli([*base, "changes", "--since", "1d", "--json"]).stdout)
    closing = [c for c in changes if c["kind"] == "closed"]
    assert [c["status"] for c in closing] == ["closed"] and ISO.match(closing[0]["closed_at"])
    assert {c["status"] for c in changes if c["title"] == "Platform Engineer"} == {"open"}

    lines = [json.loads(line) for line in run_cli([*base, "export", "--format", "jsonl"]).stdout.splitlines()]
    mine = [line for line in lines if line["posting_id"] == posting]
    assert mine and all(line["status"] == "closed" and ISO.match(line["closed_at"]) for line in mine)
    assert all(ISO.match(line["first_seen"]) and ISO.match(line["last_seen"]) for line in lines)
    exported = [json.loads(line) for line in
                run_cli([*base, "export", "--format", "jsonl", "--changes"]).stdout.splitlines()]
    assert {line["status"] for line in exported if line["posting_id"] == posting} == {"closed"}
