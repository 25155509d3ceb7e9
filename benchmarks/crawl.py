"""How much a jobtrail crawl costs next to bare Scrapy fetching the same pages (a benchmark, not a test).

    python benchmarks/crawl.py                          # 200 companies x 50 postings = 10,000 postings
    python benchmarks/crawl.py --companies 20           # 1,000 postings
    python benchmarks/crawl.py --concurrency 16 --keep /tmp/farm
    python benchmarks/crawl.py --companies 20 --variant heavy   # heavy chrome, varied headings

Generates a careers farm (benchmarks/farm.py: ~50-60 KB pages with navigation, inline app
state and JSON-LD), serves it on 127.0.0.1 (nginx when it is on PATH, else a threaded
Python server that sends ETag / Last-Modified and answers 304 like nginx), then runs, each
as its own process so CPU and peak RSS are that run's alone:

    (a) bare Scrapy: listings + postings, <h1> only          (benchmarks/bare_spider.py)
    (b) jobtrail crawl, first run into an empty SQLite DB     target <= 2.0 x (a)
    (c) jobtrail crawl again, nothing changed                  target <= 1.0 x (a)
    (d) jobtrail crawl after 10% of postings reworded one requirement   target <= 1.3 x (a)

Both crawlers use the same concurrency, AutoThrottle off. Prints wall time, CPU (user+sys
from os.wait4) and peak RSS per run, and ratios to (a).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import farm  # noqa: E402  (benchmarks/ is not a package)

TARGETS = {"b": 2.0, "c": 1.0, "d": 1.3}
RSS_TARGET_MIB = 300


@dataclass(frozen=True)
class Run:
    label: str
    wall: float
    cpu: float
    rss_mib: float
    note: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--postings", type=int, default=50, help="postings per company")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--changed", type=float, default=0.10, help="share of postings changed before (d)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--variant", choices=farm.VARIANTS, default="default",
                        help="farm pages: default, or heavy (100+ nav links, 40 KB app state, varied headings)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="jobtrail-bench-"))
    try:
        run_all(root, args)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def run_all(root: Path, args: argparse.Namespace) -> None:
    site = root / "site"
    started = time.perf_counter()
    farm.generate(site, args.companies, args.postings, variant=args.variant)
    total = args.companies * args.postings
    print(f"farm ({args.variant}): {args.companies} companies x {args.postings} postings = {total} postings, "
          f"{_size_mib(site):.0f} MiB, generated in {time.perf_counter() - started:.1f} s")
    with serve(site, root) as (base, server_name):
        print(f"server: {server_name} at {base}; cores: {os.cpu_count()}; concurrency: {args.concurrency}")
        listings = [f"{base}/{farm.company_slug(c)}/careers.html" for c in range(args.companies)]
        (root / "urls.txt").write_text("\n".join(listings), encoding="utf-8")
        config = write_config(root, listings, args.concurrency)
        db = f"sqlite:///{root / 'bench.db'}"
        runs = [bare(root, args.concurrency, total)]
        runs.append(jobtrail("(b) jobtrail first run", config, db, expect={"new": total}))
        runs.append(jobtrail("(c) jobtrail unchanged", config, db, expect={"unchanged": total}))
        changed = change_some(site, args.companies, args.postings, args.changed)
        time.sleep(1.1)  # Last-Modified has one-second resolution
        runs.append(jobtrail("(d) jobtrail 10% changed", config, db,
                             expect={"changed": changed, "unchanged": total - changed}))
    report(runs, total)


def bare(root: Path, concurrency: int, total: int) -> Run:
    command = [sys.executable, str(HERE / "bare_spider.py"), str(root / "urls.txt"), str(concurrency)]
    run, out = measure("(a) bare Scrapy", command)
    titles = int(out.strip().rsplit(" ", 1)[-1]) if out.strip() else 0
    return _noted(run, f"{titles} titles" + ("" if titles == total else f" (expected {total})"))


def jobtrail(label: str, config: Path, db: str, expect: dict[str, int]) -> Run:
    command = [sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db, "crawl", "--json"]
    run, out = measure(label, command)
    try:
        sources = json.loads(out)
    except json.JSONDecodeError:
        return _noted(run, "no summary: " + out[-200:])
    got = {key: sum(s[key] for s in sources) for key in ("new", "changed", "unchanged", "closed")}
    failed = sum(1 for s in sources if s["status"] != "ok")
    wrong = {k: got[k] for k, v in expect.items() if got[k] != v}
    note = ", ".join(f"{k} {v}" for k, v in got.items() if v)
    problems = (f"; {failed} sources failed" if failed else "") + (f"; EXPECTED {expect}" if wrong else "")
    return _noted(run, note + problems)


def measure(label: str, command: list[str]) -> tuple[Run, str]:
    """Run ``command`` as a child; wall time, its own CPU and peak RSS (os.wait4)."""
    print(f"running {label} ...", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode not in (0, 1):
        print(f"  exit {child.returncode}: {stderr.strip()[-500:]}")
    rss_mib = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(label, wall, usage.ru_utime + usage.ru_stime, rss_mib, ""), stdout


def _noted(run: Run, note: str) -> Run:
    return Run(run.label, run.wall, run.cpu, run.rss_mib, note)


def change_some(site: Path, companies: int, postings: int, share: float) -> int:
    """Reword one requirement in every n-th posting (spread over all companies)."""
    step = max(1, round(1 / share))
    changed = 0
    for index in range(0, companies * postings, step):
        farm.change_posting(site, index // postings, index % postings)
        changed += 1
    return changed


def write_config(root: Path, listings: list[str], concurrency: int) -> Path:
    lines = ["[crawl]", "autothrottle_enabled = false", f"concurrent_requests = {concurrency}",
             f"concurrent_requests_per_domain = {concurrency}", ""]
    for index, url in enumerate(listings):
        lines += ["[[sources]]", f'name = "company-{index:04d}"', f'url = "{url}"', 'kind = "page"',
                  'link_pattern = "/jobs/\\\\d+-"', ""]
    path = root / "jobtrail.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def report(runs: list[Run], total: int) -> None:
    base = runs[0]
    print(f"\n{total} postings")
    print(f"{'run':<28} {'wall s':>8} {'cpu s':>8} {'RSS MiB':>8} {'wall/(a)':>9} {'cpu/(a)':>8}  target  notes")
    for run in runs:
        key = run.label[1]
        target = f"<= {TARGETS[key]:.1f}" if key in TARGETS else ""
        print(f"{run.label:<28} {run.wall:>8.1f} {run.cpu:>8.1f} {run.rss_mib:>8.0f} {run.wall / base.wall:>9.2f} "
              f"{run.cpu / base.cpu:>8.2f}  {target:<6}  {run.note}")
    worst = max(run.rss_mib for run in runs[1:])
    print(f"peak RSS of jobtrail runs: {worst:.0f} MiB (target <= {RSS_TARGET_MIB})")


def _size_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


# --- static server ------------------------------------------------------------------------------

class serve:  # noqa: N801 - used as a context manager, reads like one
    """nginx on PATH serves the farm; otherwise a threaded Python server with ETag + 304."""

    def __init__(self, site: Path, root: Path) -> None:
        self.site, self.root = site, root
        self.nginx: subprocess.Popen[bytes] | None = None
        self.httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> tuple[str, str]:
        if shutil.which("nginx"):
            return self._start_nginx()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _static_handler(self.site))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}", "threaded Python http.server (no nginx on PATH)"

    def _start_nginx(self) -> tuple[str, str]:
        port = _free_port()
        conf = self.root / "nginx.conf"
        conf.write_text(
            f"daemon off; worker_processes 1; pid {self.root}/nginx.pid; error_log {self.root}/nginx.err;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{ access_log off; sendfile on; default_type text/html; etag on;\n"
            f"  client_body_temp_path {self.root}/tmp; proxy_temp_path {self.root}/tmp;\n"
            f"  fastcgi_temp_path {self.root}/tmp; uwsgi_temp_path {self.root}/tmp; scgi_temp_path {self.root}/tmp;\n"
            f"  server {{ listen 127.0.0.1:{port}; root {self.site}; }} }}\n",
            encoding="utf-8",
        )
        self.nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(self.root)])
        time.sleep(0.5)
        return f"http://127.0.0.1:{port}", "nginx"

    def __exit__(self, *exc: object) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _static_handler(site: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            path = (site / self.path.split("?", 1)[0].lstrip("/")).resolve()
            if not path.is_file() or site not in path.parents:
                self._send(404, b"not found", {})
                return
            stat = path.stat()
            etag = f'"{stat.st_mtime_ns // 1_000_000_000:x}-{stat.st_size:x}"'  # like nginx: mtime-size
            modified = formatdate(stat.st_mtime, usegmt=True)
            validators = {"ETag": etag, "Last-Modified": modified}
            if self._not_modified(etag, int(stat.st_mtime)):
                self._send(304, b"", validators)
                return
            self._send(200, path.read_bytes(), {"Content-Type": "text/html; charset=utf-8", **validators})

        def _not_modified(self, etag: str, mtime: int) -> bool:
            match = self.headers.get("If-None-Match")
            if match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
                return etag in {tag.strip() for tag in match.split(",")}
            since = self.headers.get("If-Modified-Since")
            try:
                return since is not None and int(parsedate_to_datetime(since).timestamp()) >= mtime
            except (TypeError, ValueError):
                return False

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


if __name__ == "__main__":
    main()
