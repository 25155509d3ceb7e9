"""The digest, sent through apprise mailto:// to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.cli import main
from jobtrail.pipelines.alerts.outbox import deliver_pending
from jobtrail.pipelines.alerts.render import render_digest
from jobtrail.storage.digest_data import ChangeView, DigestData, PostingView
from jobtrail.storage.models import CrawlRun
from tests.alert_helpers import NEW, OLD, ensure_source, mailbox, make_config, parts, record_changes

EVIL = {**NEW, "title": "<script>alert('x')</script> Platform Engineer", "company": "Acme & Co",
        "related_jobs": [{"title": "Click me", "url": "javascript:alert(1)"}]}


def _failed_runs(sessions: sessionmaker[Session], source: str, count: int) -> None:
    with sessions() as session, session.begin():
        src = ensure_source(session, source)
        start = datetime.now(UTC) - timedelta(days=10)
        session.add(CrawlRun(run_id="ok", source_id=src.id, status="ok", started_at=start))
        for n in range(count):
            session.add(CrawlRun(run_id=f"r{n}", source_id=src.id, status="failed", error="HTTP 503 from listing",
                                 started_at=start + timedelta(days=n + 1)))


def test_digest_arrives_by_smtp_with_both_parts(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    with mailbox() as box:
        config = make_config(tmp_path, [{"name": "team-mail", "url": box.url, "on": ["any"]}])
        record_changes(sessions, config, [("ahrefs", "be-1", OLD, NEW), ("acme", "pe-2", None, EVIL)])
        _failed_runs(sessions, "acme", 3)
        report = deliver_pending(sessions, config)
        assert report.ok, report
        (message,) = box.messages

    assert message["Subject"] == "jobtrail: 2 postings changed at 2 companies (1 new, 1 changed)"
    text, html = parts(message)
    # the word diff: only the inserted words are highlighted, inline styles only
    assert re.search(r"<ins style=\"[^\"]+\">D and</ins> C\+\+", html)
    assert "<style" not in html
    assert "+ Proficiency in OCaml" in text
    assert "\u2212 Experience with OCaml with some C++" in text
    assert "+ Experience with OCaml with some D and C++" in text
    # scraped strings are escaped, non-http links dropped
    assert "<script>" not in html and "&lt;script&gt;alert(" in html
    assert "Acme &amp; Co" in html
    assert "javascript:" not in html
    # grouped by company, then posting
    assert html.index("Acme &amp; Co") < html.index("Ahrefs")
    # footer: the source that failed, and for how many runs
    assert "acme (3 runs in a row): HTTP 503 from listing" in text


def test_caps_items_per_posting_and_says_how_many_more() -> None:
    posting = PostingView(1, "ahrefs", "Ahrefs", "Dev", "https://ahrefs.com/1", [])
    posting.changes.append(ChangeView(1, "new", datetime.now(UTC), {}, [f"Skill number {n}" for n in range(30)]))
    message = render_digest(DigestData([posting]), item_cap=20)
    assert "Skill number 19" in message.text and "Skill number 20" not in message.text
    assert "and 10 more" in message.text and "and 10 more" in message.html


def test_digest_dry_run_writes_html_and_text(tmp_path: Path, sessions: sessionmaker[Session], db_url: str) -> None:
    config_path = tmp_path / "jobtrail.toml"
    config_path.write_text('[[sources]]\nname = "ahrefs"\nurl = "https://ahrefs.com/careers"\n', encoding="utf-8")
    config = make_config(tmp_path, [])
    record_changes(sessions, config, [("ahrefs", "be-1", OLD, NEW)])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "-c", str(config_path), "--db", db_url, "digest", "--since", "7d",
        "--to", "mailto://me@example.com", "--dry-run", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    html = (out / "digest.html").read_text(encoding="utf-8")
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert "<ins" in html and "D and" in html
    assert text.startswith("Subject: jobtrail: 1 posting changed at 1 company (1 changed)")
    assert "    + Proficiency in OCaml\n" in text  # a whole new bullet
    assert "    + Experience with OCaml with some {+D and+} C++\n" in text  # a reworded one, word by word


def test_notify_test_reports_failure_honestly(tmp_path: Path, sessions: sessionmaker[Session], db_url: str) -> None:
    def write_config(url: str) -> list[str]:
        path = tmp_path / "jobtrail.toml"
        path.write_text(
            '[[sources]]\nname = "ahrefs"\nurl = "https://ahrefs.com/careers"\n\n'
            f'[[notify]]\nname = "team-mail"\nurl = "{url}"\n', encoding="utf-8",
        )
        return ["-c", str(path), "--db", db_url, "notify", "test", "team-mail"]

    with mailbox() as box:
        sent = CliRunner().invoke(main, write_config(box.url))
        assert sent.exit_code == 0, sent.output
        assert len(box.messages) == 1 and "test message" in box.messages[0]["Subject"]
    # server stopped, and a password in the URL: the command fails, and says so without the secret
    down = CliRunner().invoke(main, write_config(box.url.replace("jobtrail@", "jobtrail:hunter22@")))
    assert down.exit_code == 1
    assert "test message failed" in down.output and "hunter22" not in down.output
