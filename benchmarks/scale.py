"""Scale-out benchmark: one cycle of 10,000 postings with 1, 2 and 3 `jobtrail worker` processes.

    python benchmarks/scale.py                              # 10,000 postings (500 boards x 20), 1/2/3 workers
    python benchmarks/scale.py --postings 2000 --workers 1,2   # a quick run

Each run gets a fresh PostgreSQL schema (the database is also the queue), starts the
workers, runs `jobtrail cycle start` twice (a first crawl: every posting new; then a re-check
with nothing changed) and reports, per cycle: wall time, postings/s, rows written to the
database per second (pg_stat_user_tables: inserts + updates + deletes in the schema) and the
workers' CPU seconds per source (from /proc). Those per-source costs feed the projection
for 100,000 sources every 6 hours printed at the end (docs/scale-out.md).

The boards are Greenhouse-API-shaped JSON served from memory by threaded Python servers on
loopback hosts 127.0.0.2.. (one per host, 50 boards each). Everything shares this machine's
cores, the site servers and PostgreSQL included: with 2 cores, more than 2 workers can only
show the ceiling. PG URL: JOBTRAIL_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("JOBTRAIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_SOURCES, TARGET_HOURS = 100_000, 6
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def board_json(host: int, number: int, per_board: int) -> bytes:
    jobs = []
    for j in range(per_board):
        content = (f"&lt;p&gt;Tide gauge crew {host}-{number}.&lt;/p&gt;&lt;h4&gt;Requirements&lt;/h4&gt;&lt;ul&gt;"
                   f"&lt;li&gt;Marine electronics, grade {j}&lt;/li&gt;&lt;li&gt;Boat licence&lt;/li&gt;"
                   f"&lt;li&gt;Python or C for loggers&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Benefits&lt;/h4&gt;&lt;ul&gt;"
                   f"&lt;li&gt;Sea days paid double&lt;/li&gt;&lt;/ul&gt;")
        jobs.append({"id": (host * 1000 + number) * 100 + j, "title": f"Hydrographic Technician {j}",
                     "absolute_url": f"https://tides.example/{host}/{number}/{j}", "content": content,
                     "location": {"name": "Bergen"}})
    return json.dumps({"jobs": jobs, "meta": {"total": per_board}}).encode()


def serve(address: str, pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer((address, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class CycleResult:
    workers: int
    cycle: str
    wall: float
    postings: int
    sources: int
    rows: int
    cpu: float

    @property
    def postings_per_s(self) -> float:
        return self.postings / self.wall

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall

    @property
    def cpu_per_source(self) -> float:
        return self.cpu / self.sources


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


class Run:
    def __init__(self, config: Path, workers: int, concurrency: int, tmp: Path) -> None:
        self.schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(PG_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{self.schema}"
        self.engine = create_engine(self.url)
        self.config, self.workers, self.concurrency, self.tmp = config, workers, concurrency, tmp
        self.processes: list[subprocess.Popen[bytes]] = []

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "jobtrail.crawler", "-c", str(self.config), "--db", self.url,
                                 *args], capture_output=True, text=True, cwd=REPO, check=False)
        if result.returncode:
            raise SystemExit(f"jobtrail {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def start_workers(self) -> None:
        for n in range(self.workers):
            log = open(self.tmp / f"worker-{self.workers}-{n}.log", "wb")  # noqa: SIM115 - lives with the process
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "jobtrail.crawler", "-c", str(self.config), "--db", self.url, "worker",
                 "--concurrency", str(self.concurrency), "--name", f"bench-{n}"],
                cwd=REPO, stdout=log, stderr=log, stdin=subprocess.DEVNULL))
        time.sleep(3)  # imports and warm-up crawl, outside the measured cycles

    def cycle(self, label: str, sources: int) -> CycleResult:
        rows0, cpu0 = self.rows_written(), cpu_seconds([p.pid for p in self.processes])
        began = time.monotonic()
        cycle_id = json.loads(self.cli("cycle", "start", "--json"))["cycle_id"]
        while self.scalar("SELECT status FROM cycles WHERE id = :c", c=cycle_id) != "finished":
            if time.monotonic() - began > 1800:
                raise SystemExit(f"cycle {label} did not finish in 30 minutes (see {self.tmp})")
            time.sleep(0.2)
        wall = time.monotonic() - began
        cpu = cpu_seconds([p.pid for p in self.processes]) - cpu0
        failed = self.scalar("SELECT count(*) FROM crawl_runs WHERE cycle_id = :c AND status <> 'ok'", c=cycle_id)
        if failed:
            raise SystemExit(f"{failed} sources failed in cycle {label} (see {self.tmp})")
        seen = self.scalar("SELECT coalesce(sum(postings_seen), 0) FROM crawl_runs WHERE cycle_id = :c", c=cycle_id)
        time.sleep(1.2)  # statistics reach pg_stat at most once a second
        return CycleResult(self.workers, label, wall, int(seen), sources, self.rows_written() - rows0, cpu)

    def rows_written(self) -> int:
        return int(self.scalar(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
            "WHERE schemaname = :s", s=self.schema))

    def scalar(self, sql: str, **params: object) -> object:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def close(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(60)
        self.engine.dispose()
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def write_config(tmp: Path, servers: list[ThreadingHTTPServer], boards_per_host: int) -> Path:
    lines = []
    for h, server in enumerate(servers):
        host, port = server.server_address[:2]
        for n in range(boards_per_host):
            lines += ["[[sources]]", f'name = "tide-{h:02d}-{n:03d}"', 'kind = "greenhouse"',
                      f'url = "http://{host}:{port}/v1/boards/b{n}/jobs"', ""]
    lines += ["[crawl]", "AUTOTHROTTLE_ENABLED = false", "CONCURRENT_REQUESTS_PER_DOMAIN = 8",
              "JOBTRAIL_SOURCES_PER_JOB = 10", "LOG_LEVEL = \"WARNING\""]
    path = tmp / "jobtrail.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--per-board", type=int, default=20, help="postings per source")
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs per worker at once")
    args = parser.parse_args()
    boards = args.postings // args.per_board
    per_host = -(-boards // args.hosts)
    servers = []
    for h in range(args.hosts):
        pages = {f"/v1/boards/b{n}/jobs": board_json(h, n, args.per_board) for n in range(per_host)}
        servers.append(serve(f"127.0.0.{2 + h}", pages))
    results: list[CycleResult] = []
    with tempfile.TemporaryDirectory(prefix="jobtrail-scale-") as tmp_name:
        tmp = Path(tmp_name)
        config = write_config(tmp, servers, per_host)
        sources = per_host * args.hosts
        for workers in [int(n) for n in args.workers.split(",")]:
            run = Run(config, workers, args.concurrency, tmp)
            try:
                run.start_workers()
                results.append(run.cycle("first crawl", sources))
                results.append(run.cycle("re-check", sources))
            finally:
                run.close()
            print_row(results[-2], results[0])
            print_row(results[-1], results[1])
    report(results, sources)


def print_row(result: CycleResult, baseline: CycleResult) -> None:
    print(f"{result.workers} worker(s)  {result.cycle:<12} {result.wall:7.1f} s"
          f"  {result.postings_per_s:7.0f} postings/s"
          f"  {result.rows_per_s:7.0f} rows/s  {result.cpu_per_source * 1000:6.1f} ms CPU/source"
          f"  speed x{baseline.wall / result.wall:4.2f}", flush=True)


def report(results: list[CycleResult], sources: int) -> None:
    rate = TARGET_SOURCES / (TARGET_HOURS * 3600)
    recheck = [r for r in results if r.cycle == "re-check"]
    first = [r for r in results if r.cycle == "first crawl"]
    best = min(recheck, key=lambda r: r.cpu_per_source)
    print(f"\nProjection for {TARGET_SOURCES:,} sources every {TARGET_HOURS} h = {rate:.2f} sources/s:")
    print(f"  worker CPU per source, re-check (nothing new): {best.cpu_per_source * 1000:.0f} ms"
          f" -> {best.cpu_per_source * rate:.2f} cores busy on average")
    print(f"  worker CPU per source, first crawl: {first[0].cpu_per_source * 1000:.0f} ms"
          f" (a one-off when sources are added)")
    print(f"  DB rows written per source, re-check: {best.rows / sources:.1f}"
          f" -> {best.rows / sources * rate:.0f} rows/s on PostgreSQL")
    print(f"  DB rows written per source, first crawl: {first[0].rows / sources:.1f}")


if __name__ == "__main__":
    main()
