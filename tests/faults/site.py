"""A scriptable misbehaving careers site on loopback, for the fault suite.

``FaultSite`` serves the Marlowe & Quist site (tests/fixtures/faults/marlowe: one listing,
five postings) through the real MockServer and can break it the ways real sites break:
walls served with HTTP 200 at every URL, redirect loops, redirects to an SSO login on
another host ("localhost" vs "127.0.0.1": another host to every same-site check),
robots.txt refusals, connections dropped without an answer, a listing that loops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from jobtrail.pipelines.alerts.send import CHANGES_HEADER, IDEMPOTENCY_HEADER
from tests.conftest import FIXTURES
from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer

SITE = FIXTURES / "faults" / "marlowe"
WALLS = FIXTURES / "walls"
POSTINGS = ("vq-101", "vq-102", "vq-103", "vq-104", "vq-105")
#: fast and deterministic: no throttling, one retry, short timeouts
FAST = "[crawl]\nautothrottle_enabled = false\nretry_times = 1\ndownload_timeout = 5\n"


class Stored:
    """What the crawls left in the database."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def scalar(self, sql: str) -> Any:
        engine = create_engine(self.db_url)
        with engine.connect() as connection:
            value = connection.execute(text(sql)).scalar()
        engine.dispose()
        return value

    def last_run(self) -> dict[str, Any]:
        engine = create_engine(self.db_url)
        with engine.connect() as connection:
            row = connection.execute(text("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")).mappings().one()
        engine.dispose()
        return dict(row)

    def ids(self, sql: str) -> list[Any]:
        engine = create_engine(self.db_url)
        with engine.connect() as connection:
            values = list(connection.execute(text(sql)).scalars())
        engine.dispose()
        return values

    def closed(self) -> int:
        return int(self.scalar("SELECT count(*) FROM postings WHERE status = 'closed'"))

    def stored_titles(self) -> set[str]:
        engine = create_engine(self.db_url)
        with engine.connect() as connection:
            titles = set(connection.execute(text("SELECT title FROM posting_versions")).scalars())
        engine.dispose()
        return titles


class FaultSite(Stored):
    """Crawls run as ``jobtrail run --all`` (crawl, then deliver): every change goes to a JSON
    webhook digest on the same loopback server (``/hook``), so each case can also check that
    every change was delivered, once per message identity."""

    def __init__(self, server: MockServer, tmp_path: Path, db_url: str, extra_toml: str = "") -> None:
        super().__init__(db_url)
        self.server = server
        server.set("/hook", "ok", content_type="text/plain")
        hook = server.url("/hook").replace("http://", "json://")
        notify = f'\n[[notify]]\nname = "hook"\nurl = "{hook}"\non = ["any"]\n'
        self.config = write_config(tmp_path, [self.source()], extra_toml=FAST + extra_toml + notify)

    def source(self) -> dict[str, Any]:
        return {"name": "marlowe-quist", "url": self.server.url("/vacancies"), "kind": "page",
                "link_pattern": r"/vacancies/vq-\d+$"}

    def healthy(self, postings: tuple[str, ...] = POSTINGS) -> None:
        """The site as it should be (robots.txt allowing everything)."""
        self.server.set("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        self.server.set_file("/vacancies", SITE / "listing.html")
        for slug in POSTINGS:
            if slug in postings:
                self.server.set_file(f"/vacancies/{slug}", SITE / f"posting_{slug}.html")
            else:
                self.server.remove(f"/vacancies/{slug}")

    def wall_everywhere(self, case: str) -> None:
        """One wall page (tests/fixtures/walls/<case>) at the listing and every posting URL, HTTP 200."""
        body = (WALLS / case / "input.html").read_bytes()
        for path in ["/vacancies", *(f"/vacancies/{slug}" for slug in POSTINGS)]:
            self.server.set(path, body, content_type="text/html; charset=utf-8")

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.server.set(path, b"", status=status, headers={"Location": to})

    def crawl(self, *extra: str) -> Any:
        return run_cli(["-c", str(self.config), "--db", self.db_url, "run", "--all", *extra])

    def assert_every_change_delivered_once(self) -> None:
        """Every stored change reached the webhook, in messages that each have one identity."""
        keys: dict[int, set[str]] = {}
        for request in self.server.requested("/hook"):
            for change_id in filter(None, request.headers.get(CHANGES_HEADER, "").split(",")):
                keys.setdefault(int(change_id), set()).add(request.headers.get(IDEMPOTENCY_HEADER, ""))
        stored = {int(i) for i in self.ids("SELECT id FROM changes")}
        assert stored and set(keys) == stored
        assert all(len(k) == 1 and "" not in k for k in keys.values())  # exactly once after dedupe


def one_line(stderr: str) -> str:
    """The run's stderr must be exactly one non-empty line (what cron mails)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]
