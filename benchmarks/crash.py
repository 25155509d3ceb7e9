"""Crash campaign: `jobtrail run` killed with SIGKILL at random moments, over a changing site.

One command:

    python benchmarks/crash.py                       # 130 runs, ~90% killed, PostgreSQL, <= 15 min
    python benchmarks/crash.py --runs 20 --db sqlite # a short one on SQLite

Each run: the site (a careers listing + posting pages on a loopback HTTP server) changes a
little (requirements reworded, a posting added, one removed, an old one back), then
`jobtrail run` (crawl, then deliver a digest over real SMTP: aiosmtpd on loopback) starts
as a child process and is, at random:
  - left alone;
  - killed while crawling (a random moment before anything reached the mail server);
  - killed while sending (the mail server holds the message until the kill, then accepts it:
    the sender never learns it arrived).
After the campaign two clean runs drain the outbox; then the report:
  runs, kills (crawling / sending), unexpected exit codes of unkilled runs,
  integrity failures (version sequences, latest_seq, changes pointing at other postings' versions),
  lost versions (after an unkilled run, a posting on the site whose stored latest requirements
    differ from the site's),
  duplicated versions (two consecutive versions with the same content),
  false closures (a posting closed by a run while the site listed it),
  deliveries: changes never delivered (lost), changes delivered in two different messages
    (duplicated: no receiver could drop it), and repeats of the same Message-ID (a crash
    while sending; a mail store keeps one copy).
Exit code 1 when any of those failure counts is not zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("JOBTRAIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKILLS = ("Python", "Go", "Rust", "SQL", "Kafka", "Terraform", "React", "OCaml", "Kotlin", "Elixir", "dbt", "Spark")
TEAMS = ("Platform", "Payments", "Search", "Data", "Mobile", "Billing", "Identity", "Growth")


# --- the site ------------------------------------------------------------------------------

@dataclass
class Site:
    """Postings id -> requirements; the pages are rendered from it on every request."""

    rng: random.Random
    postings: dict[int, list[str]] = field(default_factory=dict)
    retired: dict[int, list[str]] = field(default_factory=dict)
    next_id: int = 4100
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self) -> None:
        self.postings[self.next_id] = [f"{self.rng.randint(2, 8)}+ years with {s}" for s in
                                       self.rng.sample(SKILLS, 3)]
        self.next_id += 1

    def mutate(self) -> None:
        with self.lock:
            for pid in self.rng.sample(sorted(self.postings), min(2, len(self.postings))):
                reqs = self.postings[pid]
                used = {r.split(" with ")[1] for r in reqs}
                skill = self.rng.choice([s for s in SKILLS if s not in used])  # bullets stay distinct
                reqs[self.rng.randrange(len(reqs))] = f"{self.rng.randint(2, 9)}+ years with {skill}"
            self.add()
            if self.rng.random() < 0.6 and len(self.postings) > 12:
                pid = self.rng.choice(sorted(self.postings))
                self.retired[pid] = self.postings.pop(pid)
            if self.retired and self.rng.random() < 0.25:
                pid = self.rng.choice(sorted(self.retired))
                self.postings[pid] = self.retired.pop(pid)

    def snapshot(self) -> dict[str, tuple[str, ...]]:
        with self.lock:
            return {str(pid): tuple(reqs) for pid, reqs in self.postings.items()}

    def page(self, path: str) -> bytes | None:
        with self.lock:
            if path == "/jobs":
                items = "".join(f'<li><a href="/jobs/{pid}-{TEAMS[pid % len(TEAMS)].lower()}-engineer">'
                                f"{TEAMS[pid % len(TEAMS)]} Engineer #{pid}</a></li>" for pid in sorted(self.postings))
                return f"<html><body><h1>Open roles at Kittiwake Labs</h1><ul>{items}</ul></body></html>".encode()
            if not path.startswith("/jobs/"):
                return None
            pid = int(path.split("/")[2].split("-")[0])
            reqs = self.postings.get(pid)
            if reqs is None:
                return None
            bullets = "".join(f"<li>{r}</li>" for r in reqs)
            return (f"<html><body><main><h1>{TEAMS[pid % len(TEAMS)]} Engineer #{pid}</h1>"
                    f"<h2>Requirements</h2><ul>{bullets}</ul></main></body></html>").encode()


def serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server hook
            body = b"User-agent: *\nDisallow:\n" if self.path == "/robots.txt" else site.page(self.path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"gone"
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


# --- the mail server -----------------------------------------------------------------------

@dataclass
class Mailbox:
    """aiosmtpd handler: keeps (Message-ID, change ids) of every accepted message; can hold DATA."""

    received: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    hold: bool = False
    got_one: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        ids = tuple(int(i) for i in str(message.get("X-Jobtrail-Changes", "")).split(",") if i.strip())
        self.received.append((str(message["Message-ID"]), ids))
        self.got_one.set()
        deadline = time.monotonic() + 60
        while self.hold and not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return "250 OK"


# --- one run -------------------------------------------------------------------------------

@dataclass
class Run:
    index: int
    started: datetime
    snapshot: dict[str, tuple[str, ...]]
    mode: str
    ended: datetime | None = None
    killed: str | None = None  # "crawling" | "sending"
    exit_code: int | None = None


def one_run(index: int, mode: str, site: Site, box: Mailbox, config: Path, db_url: str, rng: random.Random) -> Run:
    site.mutate()
    run = Run(index, datetime.now(UTC), site.snapshot(), mode)
    box.got_one.clear()
    box.release.clear()
    box.hold = mode == "send"
    child = subprocess.Popen([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "run",
                              "--quiet", "--wait", "60"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if mode == "crawl":
        deadline = time.monotonic() + rng.uniform(1.5, 4.5)  # interpreter start ~1.5 s, then the crawl
        while time.monotonic() < deadline and child.poll() is None and not box.got_one.is_set():
            time.sleep(0.02)
        if child.poll() is None:
            run.killed = "sending" if box.got_one.is_set() else "crawling"
            child.send_signal(signal.SIGKILL)
    elif mode == "send":
        if box.got_one.wait(90) and child.poll() is None:
            run.killed = "sending"
            child.send_signal(signal.SIGKILL)
        box.release.set()
    try:
        _, err = child.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
    box.hold = False
    box.release.set()
    run.exit_code = child.returncode
    run.ended = datetime.now(UTC)
    if run.killed is None and child.returncode != 0:
        print(f"  run {index}: exit {child.returncode}: {err.decode(errors='replace').strip()[-300:]}", flush=True)
    return run


# --- checks --------------------------------------------------------------------------------

def rows(db_url: str, sql: str) -> list[Any]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        result = list(connection.execute(text(sql)))
    engine.dispose()
    return result


def lost_versions(db_url: str, run: Run) -> int:
    """After an unkilled run: every posting on the site has the site's requirements as its latest version."""
    stored = {external_id: reqs for external_id, reqs in rows(db_url, """
        SELECT p.external_id, v.requirements FROM postings p
        JOIN posting_versions v ON v.posting_id = p.id AND v.seq = p.latest_seq""")}
    wrong = [pid for pid, reqs in run.snapshot.items() if _as_tuple(stored.get(pid)) != reqs]
    for pid in wrong[:3]:
        print(f"  run {run.index}: posting {pid}: site {run.snapshot[pid]}, stored {_as_tuple(stored.get(pid))}",
              flush=True)
    return len(wrong)


def _as_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    while isinstance(value, str):  # SQLite hands JSON back as text
        value = json.loads(value)
    return tuple(value)


def integrity_failures(db_url: str) -> int:
    checks = [
        # latest_seq is the highest version, and versions are numbered 1..n without gaps
        """SELECT count(*) FROM postings p JOIN (SELECT posting_id, max(seq) AS m, count(*) AS n
           FROM posting_versions GROUP BY posting_id) v ON v.posting_id = p.id
           WHERE p.latest_seq <> v.m OR v.n <> v.m""",
        "SELECT count(*) FROM postings p WHERE NOT EXISTS (SELECT 1 FROM posting_versions v WHERE v.posting_id = p.id)",
        # a change's versions belong to its own posting
        """SELECT count(*) FROM changes c JOIN posting_versions v ON v.id = c.to_version_id
           WHERE v.posting_id <> c.posting_id""",
        "SELECT count(*) FROM postings WHERE status NOT IN ('open', 'closed')",
        "SELECT count(*) FROM postings WHERE status = 'closed' AND closed_at IS NULL",
        # every change owes its delivery to the one channel (on = any)
        "SELECT count(*) FROM changes c WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.change_id = c.id)",
    ]
    return sum(int(rows(db_url, sql)[0][0]) for sql in checks)


def duplicated_versions(db_url: str) -> int:
    return int(rows(db_url, """SELECT count(*) FROM posting_versions a JOIN posting_versions b
        ON b.posting_id = a.posting_id AND b.seq = a.seq + 1 WHERE a.content_hash = b.content_hash""")[0][0])


def false_closures(db_url: str, runs: list[Run]) -> int:
    """A closure made during run i while the site (as served during run i) listed the posting."""
    count = 0
    for external_id, created_at in rows(db_url, """SELECT p.external_id, c.created_at FROM changes c
            JOIN postings p ON p.id = c.posting_id WHERE c.kind = 'closed'"""):
        at = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at  # SQLite: text
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        during = next((r for r in runs if r.started <= at <= (r.ended or at)), None)
        if during is None or external_id in during.snapshot:
            count += 1
    return count


def delivery_report(db_url: str, box: Mailbox) -> dict[str, int]:
    changes = {int(r[0]) for r in rows(db_url, "SELECT id FROM changes")}
    carried: dict[int, set[str]] = {}
    for message_id, ids in box.received:
        for change_id in ids:
            carried.setdefault(change_id, set()).add(message_id)
    distinct = {message_id for message_id, _ in box.received}
    return {
        "changes": len(changes),
        "messages received": len(box.received),
        "lost deliveries": len(changes - set(carried)),
        "duplicated deliveries": sum(1 for ids in carried.values() if len(ids) > 1),
        "repeats of one Message-ID (deduped by a mail store)": len(box.received) - len(distinct),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- campaign ------------------------------------------------------------------------------

def database(kind: str, workdir: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'crash.db'}", lambda: None
    schema = f"crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}", drop


def write_config(workdir: Path, site_url: str, smtp_port: int) -> Path:
    config = workdir / "jobtrail.toml"
    config.write_text(f"""
[[sources]]
name = "kittiwake"
url = "{site_url}/jobs"
kind = "page"
link_pattern = "/jobs/\\\\d+-"

[crawl]
autothrottle_enabled = false
retry_times = 1
download_timeout = 5

[[notify]]
name = "mail"
url = "mailto://jobtrail@127.0.0.1:{smtp_port}?to=hiring@example.com&from=jobtrail@example.com"
on = ["any"]
# a kill while sending counts as an attempt (docs/alerts.md): five in a row, likely at a 90% kill
# rate, make the outbox give up on those rows by design and the next run exit 1. The campaign
# measures loss and duplication, not that policy, so the budget is out of its reach.
max_attempts = 1000
""", encoding="utf-8")
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=130)
    parser.add_argument("--kill-rate", type=float, default=0.9, help="share of runs that get a SIGKILL")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--max-minutes", type=float, default=15.0, help="stop starting new runs after this long")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="jobtrail-crash-"))
    site = Site(rng)
    for _ in range(15):
        site.add()
    httpd = serve(site)
    box = Mailbox()
    smtp_port = free_port()
    smtp = Controller(box, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    db_url, drop = database(args.db, workdir)
    config = write_config(workdir, f"http://127.0.0.1:{httpd.server_address[1]}", smtp_port)
    started = time.monotonic()
    runs: list[Run] = []
    lost = 0
    try:
        for index in range(args.runs):
            if time.monotonic() - started > args.max_minutes * 60:
                print(f"time budget reached after {index} runs", flush=True)
                break
            mode = "none" if rng.random() >= args.kill_rate else rng.choice(("crawl", "send"))
            run = one_run(index, mode, site, box, config, db_url, rng)
            runs.append(run)
            if run.killed is None:
                lost += lost_versions(db_url, run)
            if index % 10 == 9:
                kills = sum(1 for r in runs if r.killed)
                print(f"  {index + 1} runs, {kills} kills, {time.monotonic() - started:.0f} s", flush=True)
        for _ in range(2):  # drain what the kills left; the site holds still
            final = one_run(len(runs), "none", site, box, config, db_url, rng)
            runs.append(final)
            lost += lost_versions(db_url, final)
        report = {
            "database": args.db,
            "runs": len(runs),
            "kills": sum(1 for r in runs if r.killed),
            "kills while crawling": sum(1 for r in runs if r.killed == "crawling"),
            "kills while sending": sum(1 for r in runs if r.killed == "sending"),
            "unkilled runs with exit != 0": sum(1 for r in runs if not r.killed and r.exit_code != 0),
            "integrity failures": integrity_failures(db_url),
            "lost versions": lost,
            "duplicated versions": duplicated_versions(db_url),
            "false closures": false_closures(db_url, runs),
            "closures": int(rows(db_url, "SELECT count(*) FROM changes WHERE kind = 'closed'")[0][0]),
            "versions": int(rows(db_url, "SELECT count(*) FROM posting_versions")[0][0]),
            **delivery_report(db_url, box),
            "wall time s": round(time.monotonic() - started),
        }
    finally:
        smtp.stop()
        httpd.shutdown()
        drop()
    width = max(len(k) for k in report)
    print(f"\njobtrail crash campaign (seed {args.seed})")
    for key, value in report.items():
        print(f"  {key:<{width}}  {value}")
    failures = ("unkilled runs with exit != 0", "integrity failures", "lost versions", "duplicated versions",
                "false closures", "lost deliveries", "duplicated deliveries")
    return 1 if any(report[k] for k in failures) else 0


if __name__ == "__main__":
    sys.exit(main())
