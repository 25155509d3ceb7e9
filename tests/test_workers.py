"""Many machines, one correct crawl: `jobtrail cycle start` + three `jobtrail worker` processes.

Real parts only: PostgreSQL (the database and the procrastinate queue), `jobtrail` as
subprocesses, and 20 loopback hosts (127.0.0.2-21) serving 10 small job boards each (200
sources, 600 postings) in the Greenhouse API shape, for an invented firm per board. Leases
last 8 s here, so a killed worker's sources are taken over within seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.crawl_helpers import REPO, run_cli, write_config
from tests.mockserver import MockServer

pytestmark = pytest.mark.postgres

HOSTS = 20
BOARDS_PER_HOST = 10
JOBS_PER_BOARD = 3
LEASE_SECONDS = 8
CRAWL_SETTINGS = (
    "[crawl]\n"
    f"JOBTRAIL_LEASE_SECONDS = {LEASE_SECONDS}\n"
    "JOBTRAIL_SOURCES_PER_JOB = 10\n"
    "AUTOTHROTTLE_ENABLED = false\n"
    "CONCURRENT_REQUESTS_PER_DOMAIN = 8\n"
)


def board(host: int, number: int, reworded: bool = False) -> str:
    """One firm's board: three roles; ``reworded`` changes one requirement of the first."""
    firm = f"Quayside Instruments {host:02d}-{number}"
    jobs = []
    for j in range(JOBS_PER_BOARD):
        need = "Soldering of 0201 fine-pitch parts" if reworded and j == 0 else "Soldering of fine-pitch parts"
        content = (f"&lt;p&gt;Build test rigs at {firm}.&lt;/p&gt;&lt;h4&gt;What you bring&lt;/h4&gt;"
                   f"&lt;ul&gt;&lt;li&gt;{need}&lt;/li&gt;&lt;li&gt;Schematics, level {j}&lt;/li&gt;&lt;/ul&gt;")
        jobs.append({"id": host * 10_000 + number * 10 + j, "title": f"Rig Technician {j}",
                     "absolute_url": f"https://quayside.example/{host}/{number}/{j}", "content": content,
                     "location": {"name": "Gdansk"}, "company_name": firm})
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}})


class Farm:
    def __init__(self, stack: ExitStack) -> None:
        self.servers = [stack.enter_context(MockServer(f"127.0.0.{2 + h}")) for h in range(HOSTS)]
        self.reworded: set[tuple[int, int]] = set()
        for h in range(HOSTS):
            for n in range(BOARDS_PER_HOST):
                self.serve(h, n)

    def serve(self, host: int, number: int, *, reworded: bool = False, gate: threading.Event | None = None) -> None:
        if reworded:
            self.reworded.add((host, number))
        self.servers[host].set(f"/v1/boards/b{number}/jobs", board(host, number, (host, number) in self.reworded),
                               content_type="application/json", gate=gate)

    def sources(self) -> list[dict[str, Any]]:
        return [{"name": f"q{h:02d}-{n}", "kind": "greenhouse", "url": self.servers[h].url(f"/v1/boards/b{n}/jobs")}
                for h in range(HOSTS) for n in range(BOARDS_PER_HOST)]

    def hold(self, host: int) -> threading.Event:
        """Requests to this host wait until the returned event is set."""
        gate = threading.Event()
        for n in range(BOARDS_PER_HOST):
            self.serve(host, n, gate=gate)
        return gate


class Fleet:
    """`cycle start` and worker processes against one PostgreSQL schema."""

    def __init__(self, config: Path, db_url: str, tmp_path: Path) -> None:
        self.config, self.db_url, self.tmp_path = config, db_url, tmp_path
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.engine = create_engine(db_url)

    def start_worker(self, name: str) -> None:
        log = open(self.tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "jobtrail.crawler", "-c", str(self.config), "--db", self.db_url, "worker",
             "--name", name, "--concurrency", "3", "-v"],
            cwd=REPO, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env={**os.environ},
        )

    def kill(self, name: str) -> None:
        self.workers[name].send_signal(signal.SIGKILL)
        self.workers.pop(name).wait(10)

    def stop_all(self) -> None:
        for process in self.workers.values():
            process.terminate()
        for process in self.workers.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers.clear()
        self.engine.dispose()

    def start_cycle(self) -> int:
        result = run_cli(["-c", str(self.config), "--db", self.db_url, "cycle", "start", "--json"])
        assert result.returncode == 0, result.stderr
        return int(json.loads(result.stdout)["cycle_id"])

    def wait_finished(self, cycle_id: int, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.scalar("SELECT status FROM cycles WHERE id = :c", c=cycle_id) == "finished":
                return
            time.sleep(0.3)
        logs = "\n".join((self.tmp_path / f"{n}.log").read_text(errors="replace")[-1500:] for n in self.workers)
        raise AssertionError(f"cycle {cycle_id} did not finish in {timeout} s; worker logs:\n{logs}")

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def all(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def worker_running(self, host: int, cycle_id: int) -> str | None:
        """Name of the worker that leased sources of this loopback host in the cycle (from its log)."""
        needle = f"cycle {cycle_id} host 127.0.0.{2 + host}: "
        for name in self.workers:
            if needle in (self.tmp_path / f"{name}.log").read_text(errors="replace"):
                return name
        return None


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path) -> Iterator[tuple[Farm, Fleet]]:
    with ExitStack() as stack:
        farm = Farm(stack)
        config = write_config(tmp_path, farm.sources(), extra_toml=CRAWL_SETTINGS)
        fleet = Fleet(config, pg_url, tmp_path)
        try:
            yield farm, fleet
        finally:
            fleet.stop_all()


def runs_by_status(fleet: Fleet, cycle_id: int) -> dict[str, int]:
    return dict(fleet.all("SELECT status, count(*) FROM crawl_runs WHERE cycle_id = :c GROUP BY status", c=cycle_id))


def assert_clean(fleet: Fleet) -> None:
    """Invariants after any cycle: no posting closed, no version twice, nothing left running."""
    assert fleet.scalar("SELECT count(*) FROM changes WHERE kind IN ('closed', 'reopened')") == 0
    assert fleet.scalar("SELECT count(*) FROM postings WHERE status <> 'open'") == 0
    assert fleet.scalar("SELECT count(*) FROM (SELECT posting_id, content_hash FROM posting_versions "
                        "GROUP BY 1, 2 HAVING count(*) > 1) d") == 0
    assert fleet.scalar("SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 0


def test_three_workers_judge_each_source_once_per_cycle(fleet: tuple[Farm, Fleet]) -> None:
    farm, fleet = fleet
    first = fleet.start_cycle()  # before any worker: the cycle waits in the queue
    for name in ("w0", "w1", "w2"):
        fleet.start_worker(name)
    fleet.wait_finished(first)
    assert runs_by_status(fleet, first) == {"ok": 200}
    assert fleet.scalar("SELECT count(*) FROM postings") == 600

    for _ in range(4):  # nothing changed: 0 closed, 0 failed, one crawl_run per source per cycle
        began = time.monotonic()
        cycle = fleet.start_cycle()
        fleet.wait_finished(cycle)
        print(f"cycle {cycle}: {time.monotonic() - began:.1f} s")
        assert runs_by_status(fleet, cycle) == {"ok": 200}
        assert fleet.scalar("SELECT count(DISTINCT source_id) FROM crawl_runs WHERE cycle_id = :c", c=cycle) == 200
        assert_clean(fleet)
    assert fleet.scalar("SELECT count(*) FROM posting_versions") == 600

    changed = [(h, n) for h in range(HOSTS) for n in range(BOARDS_PER_HOST)][::20]  # 10 boards: 5% of pages
    for h, n in changed:
        farm.serve(h, n, reworded=True)
    cycle = fleet.start_cycle()
    fleet.wait_finished(cycle)
    rows = fleet.all("SELECT c.posting_id FROM changes c JOIN crawl_runs r ON r.run_id = c.run_id "
                     "WHERE c.kind = 'changed' AND r.cycle_id = :c", c=cycle)
    assert len({row[0] for row in rows}) == len(changed) == fleet.scalar(
        "SELECT count(*) FROM changes WHERE kind = 'changed'"), "every change recorded exactly once"
    assert_clean(fleet)

    # kill -9 of the worker crawling host 0, mid-cycle: its sources are crawled again after the lease expires
    gate = farm.hold(0)
    cycle = fleet.start_cycle()
    deadline = time.monotonic() + 30
    while (victim := fleet.worker_running(0, cycle)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert victim is not None, "no worker picked up host 0"
    while not fleet.scalar(  # its crawl_runs rows exist, and its requests wait at the gate
            "SELECT count(*) FROM crawl_runs r JOIN leases l ON l.source_id = r.source_id AND l.cycle_id = r.cycle_id "
            "WHERE r.cycle_id = :c AND r.status = 'running' AND l.host = '127.0.0.2'", c=cycle):
        assert time.monotonic() < deadline, "the worker never started crawling host 0"
        time.sleep(0.2)
    fleet.kill(victim)
    gate.set()
    fleet.wait_finished(cycle)
    lost = fleet.all("SELECT source_id FROM crawl_runs WHERE cycle_id = :c AND error LIKE 'worker lost%'", c=cycle)
    assert lost, "the killed worker's crawl_runs were marked worker lost"
    ok_per_source = fleet.all("SELECT source_id, count(*) FROM crawl_runs WHERE cycle_id = :c AND status = 'ok' "
                              "GROUP BY source_id", c=cycle)
    assert len(ok_per_source) == 200 and {count for _, count in ok_per_source} == {1}
    assert fleet.scalar("SELECT max(attempt) FROM leases WHERE cycle_id = :c", c=cycle) == 2
    assert fleet.scalar("SELECT count(*) FROM posting_versions") == 600 + len(changed), fleet.all(
        "SELECT v.posting_id, v.seq, v.content_hash, v.observed_at, p.external_id FROM posting_versions v "
        "JOIN postings p ON p.id = v.posting_id WHERE v.posting_id IN "
        "(SELECT posting_id FROM posting_versions GROUP BY 1 HAVING count(*) > 1) ORDER BY 1, 2")
    assert_clean(fleet)


def test_a_killed_cycle_does_not_block_the_next(fleet: tuple[Farm, Fleet]) -> None:
    farm, fleet = fleet
    gates = [farm.hold(h) for h in range(HOSTS)]
    stale = fleet.start_cycle()
    fleet.start_worker("a0")
    fleet.start_worker("a1")
    deadline = time.monotonic() + 30
    while fleet.scalar("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") < 4:
        assert time.monotonic() < deadline, "workers did not start the stale cycle's jobs"
        time.sleep(0.2)
    time.sleep(0.5)
    fleet.kill("a0")
    fleet.kill("a1")  # the whole fleet dies: jobs 'doing' holding their hosts, others still queued

    cycle = fleet.start_cycle()
    for gate in gates:
        gate.set()
    fleet.start_worker("b0")
    fleet.start_worker("b1")
    fleet.wait_finished(cycle)
    assert fleet.scalar("SELECT status FROM cycles WHERE id = :c", c=stale) == "superseded"
    assert runs_by_status(fleet, cycle) == {"ok": 200}
    assert fleet.scalar("SELECT count(*) FROM postings") == 600
    assert_clean(fleet)


def test_two_machines_drain_each_alert_once(pg_url: str, tmp_path: Path) -> None:
    """Two drains at once (as two machines' workers or `jobtrail run`s would): each alert is sent once."""
    from jobtrail.crawler.sources import load_config
    from jobtrail.storage.db import open_database
    from tests.alert_helpers import json_posts, record_changes

    with MockServer() as receiver:
        receiver.set("/pager", "ok", content_type="text/plain", delay=0.05)  # slow: the drains overlap
        hook = receiver.url("/pager").replace("http://", "json://")
        path = write_config(tmp_path, [{"name": "harbour-optics", "url": "https://harbour-optics.example/jobs"}],
                            extra_toml=f'[[notify]]\nname = "pager"\nmode = "instant"\nurl = "{hook}"\n')
        engine, sessions = open_database(pg_url)
        specs = [("harbour-optics", f"lens-{n}", None, {"title": f"Lens Grinder {n}", "company": "Harbour Optics"})
                 for n in range(24)]
        change_ids = record_changes(sessions, load_config(path), specs)
        engine.dispose()
        drains = [subprocess.Popen([sys.executable, "-m", "tests.outbox_child", str(path), pg_url], cwd=REPO,
                                   stderr=subprocess.PIPE) for _ in range(2)]
        for drain in drains:
            assert drain.wait(120) == 0, drain.stderr.read() if drain.stderr else ""
        sent = [post["title"] for post in json_posts(receiver, "/pager")]
    assert len(sent) == len(change_ids) == len(set(sent)), "each alert sent exactly once"
