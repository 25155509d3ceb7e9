"""Link discovery over the fixture careers sites (a benchmark, not a test).

    python benchmarks/discovery.py                 # every site in tests/fixtures/sites/*/site.json
    python benchmarks/discovery.py --no-browser    # skip the site that needs Chromium
    python benchmarks/discovery.py --render-pages 10   # also: cost of render = "browser" per page

For each site, served on 127.0.0.1 by the test server, `jobtrail crawl` runs as its own process:

    (d1) discovery, first crawl (no link_pattern, empty database)
    (d2) discovery, re-check (the learned template cached; nothing changed on the site)
    (p1) explicit link_pattern, first crawl — the baseline (exactly the expected posting paths)
    (p2) explicit link_pattern, re-check

and prints: exactly right (postings and status as expected.json says), postings found / expected,
extras, requests per posting and wall time vs the link_pattern crawl, requests per re-check.
With --render-pages N: N listings x 3 postings crawled with render = "browser" vs plain HTTP,
wall time per page and peak memory (PSS) of the crawl process and its Chromium children.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests.crawl_helpers import write_config  # noqa: E402
from tests.discovery_sites import discovery_cases, expected, serve_site, site, site_source  # noqa: E402
from tests.mockserver import MockServer  # noqa: E402


@dataclass
class Crawl:
    status: str
    found: dict[str, str]
    requests: int
    wall: float
    peak_rss_mib: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-browser", action="store_true", help="skip sites that need Chromium")
    parser.add_argument("--render-pages", type=int, default=0,
                        help="measure render = browser vs http on N listings x 3 postings")
    parser.add_argument("--only", nargs="*", help="site names")
    args = parser.parse_args()
    cases = [c for c in discovery_cases() if (not args.only or c in args.only)
             and not (args.no_browser and site(c).get("browser"))]
    rows = [bench_site(case) for case in cases]
    if rows:
        report(rows)
    if args.render_pages:
        render_cost(args.render_pages)


def bench_site(case: str) -> dict[str, object]:
    want = expected(case)
    with MockServer() as server, tempfile.TemporaryDirectory() as tmp:
        serve_site(server, case)
        source = site_source(server, case)
        d1 = crawl(server, Path(tmp), "discovery", source)
        d2 = crawl(server, Path(tmp), "discovery", source)
        pattern = "(" + "|".join(re.escape(path) for path in want["postings"]) + ")$" if want["postings"] else None
        p1 = p2 = None
        if pattern:
            p1 = crawl(server, Path(tmp), "pattern", {**source, "link_pattern": pattern})
            p2 = crawl(server, Path(tmp), "pattern", {**source, "link_pattern": pattern})
            if set(p1.found) != set(want["postings"]):  # no baseline: a link_pattern finds nothing there
                p1 = p2 = None
    extras = sorted(set(d1.found) - set(want["postings"]))
    missing = sorted(set(want["postings"]) - set(d1.found))
    exact = not extras and not missing and d1.status in _accepted(want["status"]) and all(
        d1.found[path] == title for path, title in want["postings"].items())
    return {"case": case, "exact": exact, "found": len(set(d1.found) & set(want["postings"])),
            "expected": len(want["postings"]), "extras": len(extras), "status": d1.status, "d1": d1, "d2": d2,
            "p1": p1, "p2": p2}


def _accepted(status: str) -> set[str]:
    # walls are `blocked` once wall detection (issue 12) is in; before that they come back `empty`
    return {"blocked", "empty"} if status == "blocked" else {status}


def crawl(server: MockServer, tmp: Path, label: str, source: dict[str, object]) -> Crawl:
    db = tmp / f"{label}.db"
    db_url = f"sqlite:///{db}"
    config = write_config(tmp, [source], db_url=db_url, name=f"{label}.toml")
    before = len(server.requests)
    started = time.perf_counter()
    peak = _run([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "crawl", "--json"])
    wall = time.perf_counter() - started
    status, found = _stored(db_url)
    return Crawl(status, found, len(server.requests) - before, wall, peak)


def _run(command: list[str]) -> float:
    """Run a command; its peak memory (PSS) in MiB (the process and its children, Chromium included)."""
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "JOBTRAIL_DB_URL": ""})
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.05):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait(timeout=600)
    stop.set()
    sampler.join()
    return peak


def _tree_rss(pid: int) -> float:
    """Memory (MiB) of a process and all its descendants: the sum of their PSS (proportional set
    size, /proc/PID/smaps_rollup), so pages Chromium's processes share are counted once."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(parent, []).append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss(current, rss.get(current, 0))
        todo += children.get(current, [])
    return total / 1024


def _pss(pid: int, fallback_kib: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return fallback_kib


def _stored(db_url: str) -> tuple[str, dict[str, str]]:
    from urllib.parse import urlsplit

    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as connection:
        status = connection.execute(text("select status from crawl_runs order by id desc limit 1")).scalar() or "?"
        found = {}
        for url, title in connection.execute(text("select url, title from postings")):
            parts = urlsplit(url)
            found[parts.path + (f"?{parts.query}" if parts.query else "")] = title
    engine.dispose()
    return status, found


def report(rows: list[dict[str, object]]) -> None:
    print(f"{'site':<22} {'exact':<5} {'found':>9} {'extra':>5} {'status':<7} "
          f"{'req/post d1':>11} {'p1':>5} {'wall d1/p1':>10} {'req d2':>6} {'p2':>4}")
    for row in rows:
        d1, d2, p1, p2 = (row[k] for k in ("d1", "d2", "p1", "p2"))
        wanted = max(1, int(row["expected"]))
        print(f"{row['case']:<22} {'yes' if row['exact'] else 'NO':<5} {row['found']:>4}/{row['expected']:<4} "
              f"{row['extras']:>5} {row['status']:<7} {d1.requests / wanted:>11.2f} "
              f"{(f'{p1.requests / wanted:.2f}' if p1 else '-'):>5} {(f'{d1.wall / p1.wall:.2f}' if p1 else '-'):>10} "
              f"{d2.requests:>6} {(p2.requests if p2 else '-'):>4}")
    exact = sum(1 for row in rows if row["exact"])
    found = sum(int(row["found"]) for row in rows)
    wanted = sum(int(row["expected"]) for row in rows)
    extras = sum(int(row["extras"]) for row in rows)
    with_baseline = [row for row in rows if row["p1"]]
    ratio = sum(row["d1"].wall for row in with_baseline) / max(1e-9, sum(row["p1"].wall for row in with_baseline))
    requests = (sum(row["d1"].requests for row in with_baseline), sum(row["p1"].requests for row in with_baseline))
    rechecks = (sum(row["d2"].requests for row in with_baseline), sum(row["p2"].requests for row in with_baseline))
    print(f"\nsites exactly right: {exact}/{len(rows)}; postings found {found}/{wanted}; extras {extras}")
    print(f"first crawl vs link_pattern (sites with postings): requests {requests[0]} vs {requests[1]} "
          f"({requests[0] / max(1, requests[1]):.2f}x), wall {ratio:.2f}x")
    print(f"re-check requests: discovery {rechecks[0]} vs link_pattern {rechecks[1]} "
          f"({rechecks[0] / max(1, rechecks[1]):.2f}x)")


RENDER_LISTING = """<!DOCTYPE html><html><head><title>Board {n}</title></head><body><div id="b">
<div><h3>Rigger {n}</h3><a href="/b{n}/role-0">Details</a></div>
<div><h3>Lamplighter {n}</h3><a href="/b{n}/role-1">Details</a></div>
<div><h3>Cartwright {n}</h3><a href="/b{n}/role-2">Details</a></div></div>
<script>document.title = document.title + ' (scripted)';</script></body></html>"""
RENDER_POSTING = """<!DOCTYPE html><html><head><title>Role</title></head><body><main><h1>{title}</h1>
<h2>Requirements</h2><ul><li>Steady hands</li><li>Good humour</li></ul></main>
<script>document.body.dataset.ready = '1';</script></body></html>"""
TITLES = ("Rigger", "Lamplighter", "Cartwright")


def render_cost(listings: int) -> None:
    """The same pages (N listings x 3 postings) crawled with render = browser, then plain HTTP."""
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        print("\nrender cost: skipped (no Chromium)")
        return
    with MockServer() as server, tempfile.TemporaryDirectory() as tmp:
        for n in range(listings):
            server.set(f"/b{n}", RENDER_LISTING.format(n=n))
            for i, title in enumerate(TITLES):
                server.set(f"/b{n}/role-{i}", RENDER_POSTING.format(title=f"{title} {n}"))
        results = {}
        for render in ("http", "browser"):
            sources = [{"name": f"b{n}", "url": server.url(f"/b{n}"), "render": render} for n in range(listings)]
            db_url = f"sqlite:///{Path(tmp) / f'{render}.db'}"
            config = write_config(Path(tmp), sources, db_url=db_url, name=f"{render}.toml")
            started = time.perf_counter()
            peak = _run([sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "crawl"])
            status, found = _stored(db_url)
            results[render] = (time.perf_counter() - started, peak, len(found))
    pages = listings * 4
    (http_wall, http_rss, http_found), (browser_wall, browser_rss, browser_found) = results["http"], results["browser"]
    print(f"\nrender = \"browser\" vs plain HTTP, the same {pages} pages ({listings} listings x 3 postings; "
          f"postings stored: http {http_found}, browser {browser_found}):")
    print(f"  plain HTTP: {http_wall:.1f} s wall, peak memory (PSS) {http_rss:.0f} MiB")
    print(f"  browser:    {browser_wall:.1f} s wall, peak memory (PSS) {browser_rss:.0f} MiB "
          "(crawl + Chromium processes)")
    print(f"  cost of rendering: {(browser_wall - http_wall) / pages * 1000:.0f} ms per page, "
          f"+{browser_rss - http_rss:.0f} MiB peak")


if __name__ == "__main__":
    main()
