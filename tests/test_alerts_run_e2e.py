"""`jobtrail run` end to end, as cron runs it: crawl a real local site, then mail the digest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.acme_site import acme_source, serve_acme
from tests.alert_helpers import mailbox, parts
from tests.crawl_helpers import run_cli, write_config
from tests.mockserver import MockServer


def test_run_crawls_then_delivers_each_change_once(server: MockServer, db_url: str, tmp_path: Path,
                                                    sessions: sessionmaker[Session]) -> None:
    serve_acme(server, 1)
    sources = [acme_source(server), {"name": "down", "url": server.url("/gone"), "kind": "page"}]
    with mailbox() as box:
        config = write_config(tmp_path, sources, extra_toml=(
            f'[[notify]]\nname = "mail"\nurl = "{box.url}"\non = ["any"]\n'
        ))
        args = ["-c", str(config), "--db", db_url, "run"]
        first = run_cli(args)
        assert first.returncode == 1, first.stderr  # a source failed: cron must hear about it
        serve_acme(server, 2)
        second = run_cli(args)
        assert second.returncode == 1, second.stderr
        assert len(box.messages) == 2, (first.stdout, first.stderr, second.stdout, second.stderr)

    first_text, _ = parts(box.messages[0])
    second_text, second_html = parts(box.messages[1])
    assert box.messages[0]["Subject"].startswith("jobtrail: 3 postings changed at 1 company (3 new)")
    assert "(1 new" in box.messages[1]["Subject"] and "closed" not in box.messages[1]["Subject"]
    assert "down (1 run in a row)" in first_text and "down (2 runs in a row)" in second_text
    assert "<ins" in second_html
    assert "delivery mail: " in second.stdout
