"""How fast `jobtrail serve` answers at 1M versions (a benchmark, not a test).

Builds (or, with --reuse, keeps and reuses) the history benchmark's synthetic database
(benchmarks/history.py: N postings x M versions, default 100,000 x 10 = 1M versions and
1M changes, 10 sources, 2,000 companies), serves it with the real app (uvicorn on
127.0.0.1, read-only sessions, as `jobtrail serve` runs it) and times whole HTTP requests
per page type over one keep-alive connection: p50 / p95 against the 100 ms target.

    python benchmarks/web.py                                    # both databases, full size
    python benchmarks/web.py --reuse /tmp/bench                 # keep the databases, reuse them next time
    python benchmarks/web.py --postings 2000 --versions 5 --only sqlite --runs 20   # a quick run

The history benchmark's --reuse keeps the same databases (same folder / schema names), so
one load serves both benchmarks. The machine's other load shows in the numbers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import history as history_bench  # noqa: E402  (the database builder of benchmarks/history.py)
import uvicorn  # noqa: E402
from sqlalchemy import text  # noqa: E402

from jobtrail.crawler.cli.serve import bind  # noqa: E402
from jobtrail.crawler.web.app import create_app  # noqa: E402
from jobtrail.storage.db import open_database, open_read_only  # noqa: E402

TARGET_MS = 100.0
#: the same server answering without the database or a template: what the machine's load costs
BASELINE = "baseline: a static file"


def build(backend: str, args: argparse.Namespace) -> tuple[str, object, str]:
    """(database URL, admin engine or None, what was done) — loads unless --reuse finds it."""
    url, admin, loaded = history_bench._target(backend, args)
    total = args.postings * args.versions
    if loaded:
        open_database(url)[0].dispose()
        return url, admin, f"reused {total:,} versions"
    if backend == "sqlite":
        for path in Path(url[len("sqlite:///"):]).parent.glob(Path(url).name + "*"):
            path.unlink()
    start = time.perf_counter()
    loader = history_bench.load_sqlite if backend == "sqlite" else history_bench.load_postgresql
    loader(url, history_bench.Generator(args.postings, args.versions))
    return url, admin, f"loaded {total:,} versions in {time.perf_counter() - start:.0f} s"


class Served:
    """The app on a loopback port in a thread (uvicorn, as `jobtrail serve` runs it)."""

    def __init__(self, url: str) -> None:
        self.engine, sessions = open_read_only(url)
        app = create_app(sessions, tags={"bench": ("source-1", "source-2")})
        self.sock = bind("127.0.0.1", 0)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> http.client.HTTPConnection:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        return http.client.HTTPConnection("127.0.0.1", self.sock.getsockname()[1], timeout=120)

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.engine.dispose()


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def pages(args: argparse.Namespace, connection: http.client.HTTPConnection) -> dict[str, Callable[[], str]]:
    """Page type -> a function giving the next URL to request (random posting ids, etc.)."""
    rng = random.Random(3)
    posting = lambda: rng.randint(1, args.postings)  # noqa: E731
    company = lambda: f"Company {rng.randrange(min(args.postings, 2000))}"  # noqa: E731
    cursor = _deep_cursor(connection)
    return {
        BASELINE: lambda: "/static/app.css",
        "changes (newest)": lambda: "/changes",
        "changes, older page (cursor)": lambda: f"/changes?before={cursor}",
        "changes ?source=": lambda: f"/changes?source=source-{rng.randint(1, 10)}",
        "changes ?tag= (2 sources)": lambda: "/changes?tag=bench",
        "changes ?company=": lambda: "/changes?" + urlencode({"company": company()}),
        "changes ?kind=new": lambda: "/changes?kind=new",
        "changes ?field=requirements": lambda: "/changes?field=requirements",
        "changes ?field=title (no match)": lambda: "/changes?field=title",
        "posting": lambda: f"/postings/{posting()}",
        "compare v1 / vN": lambda: f"/postings/{posting()}/compare?a=1&b={args.versions}",
        "search \"D or C++\"": lambda: "/search?q=" + quote("D or C++"),
        "search degree, requirements, removed": lambda: "/search?q=degree&field=requirements&change=removed",
        "sources": lambda: "/sources",
        "feed: all changes (Atom)": lambda: "/feeds/changes.atom",
        "feed: company (Atom)": lambda: "/feeds/company/" + quote(company()) + ".atom",
        "feed: posting (RSS)": lambda: f"/feeds/posting/{posting()}.rss",
    }


def _deep_cursor(connection: http.client.HTTPConnection) -> str:
    """A change id from page 20 of the changes list (following Older links)."""
    path = "/changes"
    for _ in range(20):
        body = get(connection, path)[1].decode()
        marker = 'class="older" href="'
        if marker not in body:
            break
        path = body.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
    return path.rsplit("before=", 1)[-1] if "before=" in path else ""


def measure(connection: http.client.HTTPConnection, make: Callable[[], str], runs: int) -> list[float]:
    get(connection, make())  # warm this page's statements and templates
    times = []
    for _ in range(runs):
        path = make()
        start = time.perf_counter()
        status, _ = get(connection, path)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def run(backend: str, args: argparse.Namespace) -> tuple[str, list[tuple[str, float, float]]]:
    url, admin, done = build(backend, args)
    rows = []
    try:
        with Served(url) as connection:
            for label, make in pages(args, connection).items():
                times = measure(connection, make, args.runs)
                rows.append((label, statistics.median(times), p95(times)))
    finally:
        if admin is not None:
            if not args.reuse:
                with admin.begin() as conn:  # type: ignore[attr-defined]
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{history_bench.SCHEMA}" CASCADE'))
            admin.dispose()  # type: ignore[attr-defined]
        if backend == "sqlite" and not args.reuse:
            for path in Path(url[len("sqlite:///"):]).parent.glob("bench-*.db*"):
                path.unlink()
    return done, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=50, help="requests per page type (default 50)")
    parser.add_argument("--reuse", metavar="DIR", help="keep the databases and reuse them (as benchmarks/history.py)")
    args = parser.parse_args()
    args.keep, args.explain = bool(args.reuse), False
    results = {backend: run(backend, args) for backend in ("sqlite", "postgresql") if args.only in (None, backend)}
    print(f"\njobtrail serve benchmark: {args.postings:,} postings x {args.versions} versions, "
          f"{args.runs} requests per page (whole HTTP round trip); {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    for backend, (done, rows) in results.items():
        base = rows[0][1] or 1.0
        print(f"\n{backend} ({done})")
        print(f"  {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9}  target p95 < {TARGET_MS:g} ms")
        for label, median, high in rows:
            mark = "" if label == BASELINE else ("ok" if high < TARGET_MS else "MISSED")
            print(f"  {label:<40} {median:8.1f} {high:8.1f} {median / base:9.1f}  {mark}")


if __name__ == "__main__":
    main()
