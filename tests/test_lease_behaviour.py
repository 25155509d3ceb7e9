"""Leases under stress, with real `jobtrail worker` processes, PostgreSQL and loopback servers.

Three behaviours of the scale-out design (docs/scale-out.md) that the fleet test
(tests/test_workers.py) only covers indirectly:
- one host is crawled by one job at a time, whichever workers run (politeness across machines);
- a worker that stalls but stays alive loses its lease; another worker takes the source over,
  and the stalled one's writes are refused when it wakes up;
- a crawl that outlasts the lease keeps it (renewed from the worker's own thread).

Leases last a few seconds here, so lapses and takeovers happen within the test's time.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawl_helpers import write_config
from tests.mockserver import MockServer
from tests.test_workers import Fleet, assert_clean, board, runs_by_status

pytestmark = pytest.mark.postgres

LEASE_LOST = "lease lost to another worker"


def crawl_settings(lease_seconds: float, per_job: int) -> str:
    return ("[crawl]\n"
            f"JOBTRAIL_LEASE_SECONDS = {lease_seconds}\n"
            f"JOBTRAIL_SOURCES_PER_JOB = {per_job}\n"
            "AUTOTHROTTLE_ENABLED = false\n")


def serve_board(server: MockServer, number: int, host: int = 0, **route: Any) -> dict[str, str]:
    """A Greenhouse-shaped board of three roles at /v1/boards/bN/jobs; returns its [[sources]] entry."""
    path = f"/v1/boards/b{number}/jobs"
    server.set(path, route.pop("body", None) or board(host, number), content_type="application/json", **route)
    return {"name": f"q{host:02d}-{number}", "kind": "greenhouse", "url": server.url(path)}


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def log_of(fleet: Fleet, name: str) -> str:
    return (fleet.tmp_path / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def servers() -> Iterator[list[MockServer]]:
    with MockServer("127.0.0.2") as first, MockServer("127.0.0.3") as second:
        yield [first, second]


def test_two_workers_never_crawl_one_host_at_once(servers: list[MockServer], pg_url: str, tmp_path: Path) -> None:
    """Four one-source jobs per host, two workers of three slots each: a host still sees one request at a time."""
    sources = [serve_board(server, n, host=h, delay=0.4) for h, server in enumerate(servers) for n in range(4)]
    fleet = Fleet(write_config(tmp_path, sources, extra_toml=crawl_settings(3, per_job=1)), pg_url, tmp_path)
    try:
        cycle = fleet.start_cycle()  # every job queued before the workers start: both find work at once
        fleet.start_worker("w0")
        fleet.start_worker("w1")
        fleet.wait_finished(cycle, timeout=60)
        assert runs_by_status(fleet, cycle) == {"ok": 8}
        assert [server.peak_in_flight for server in servers] == [1, 1], "a host was fetched by two jobs at once"
        for host in ("127.0.0.2", "127.0.0.3"):  # and the crawls of a host, by run, do not overlap in time
            runs = fleet.all("SELECT r.run_id, r.started_at, r.finished_at FROM crawl_runs r JOIN leases l "
                             "ON l.source_id = r.source_id AND l.cycle_id = r.cycle_id "
                             "WHERE r.cycle_id = :c AND l.host = :h ORDER BY r.started_at", c=cycle, h=host)
            assert len({run.run_id for run in runs}) == 4
            for before, after in zip(runs, runs[1:]):
                assert after.started_at >= before.finished_at, f"{host}: crawls overlap: {before} / {after}"
        assert_clean(fleet)
    finally:
        fleet.stop_all()


@pytest.mark.parametrize("wakes", ["after the takeover", "during the takeover"])
def test_a_stalled_worker_loses_its_lease_and_writes_nothing_when_it_wakes(
        server: MockServer, pg_url: str, tmp_path: Path, wakes: str) -> None:
    """SIGSTOP a worker mid-crawl: a second worker takes the source over; after SIGCONT the first one's
    stale page (a reworded role, one role missing) is refused: no version, no change, no closure.
    Woken while the other worker still crawls, it leaves that worker's job (and the host's lock) alone."""
    source = serve_board(server, 0)
    config = write_config(tmp_path, [source], extra_toml=crawl_settings(3, per_job=10)
                          + "JOBTRAIL_CLOSE_AFTER_MISSES = 1\n")
    fleet = Fleet(config, pg_url, tmp_path)
    path = "/v1/boards/b0/jobs"
    try:
        fleet.start_worker("sleeper")
        fleet.wait_finished(fleet.start_cycle(), timeout=60)  # three postings known
        assert fleet.scalar("SELECT count(*) FROM posting_versions") == 3

        gate, taker_gate = threading.Event(), threading.Event()
        stale = board(0, 0, reworded=True).replace('{"id": 2,', '{"id": -2,')  # role 0 reworded, role 2 gone
        assert stale != board(0, 0, reworded=True)
        serve_board(server, 0, body=stale, gate=gate)
        seen = len(server.requested(path))
        cycle = fleet.start_cycle()
        wait_for(lambda: len(server.requested(path)) > seen, "the sleeper's request")
        fleet.workers["sleeper"].send_signal(signal.SIGSTOP)
        try:
            if wakes == "after the takeover":
                serve_board(server, 0)  # the page as it really is now: unchanged
                fleet.start_worker("taker")
                wait_for(lambda: fleet.scalar("SELECT status FROM leases WHERE cycle_id = :c", c=cycle) == "done",
                         "the taker's verdict")
            else:
                serve_board(server, 0, gate=taker_gate)
                fleet.start_worker("taker")
                wait_for(lambda: len(server.requested(path)) > seen + 1, "the taker's request")
            gate.set()  # the stale page reaches the sleeper only now
        finally:
            asleep = len(log_of(fleet, "sleeper"))
            fleet.workers["sleeper"].send_signal(signal.SIGCONT)
        wait_for(lambda: log_of(fleet, "sleeper").count("ended with status") == 2, "the sleeper's job to end")
        if wakes == "during the takeover":
            assert fleet.scalar("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 1, \
                "the taker's job still runs (and holds the host's lock)"
            assert fleet.scalar("SELECT status FROM leases WHERE cycle_id = :c", c=cycle) == "running"
            taker_gate.set()
            fleet.wait_finished(cycle, timeout=30)

        lease = fleet.all("SELECT attempt, status, owner FROM leases WHERE cycle_id = :c", c=cycle)[0]
        assert (lease.attempt, lease.status) == (2, "done")
        runs = {row.run_id: (row.status, row.error) for row in fleet.all(
            "SELECT run_id, status, error FROM crawl_runs WHERE cycle_id = :c", c=cycle)}
        assert runs.pop(lease.owner) == ("ok", None), "the taker judged the source"
        [(status, error)] = runs.values()
        assert status == "failed" and error.startswith("worker lost"), error
        assert fleet.scalar("SELECT count(*) FROM posting_versions") == 3, "no version from the stale page"
        assert fleet.scalar("SELECT count(*) FROM changes WHERE kind <> 'new'") == 0
        assert_clean(fleet)
        woke = log_of(fleet, "sleeper")[asleep:]
        complaints = [line for line in woke.splitlines() if " WARNING: " in line or " ERROR: " in line]
        assert len(complaints) == 1 and "source q00-0: " + LEASE_LOST in complaints[0], complaints
        assert "Traceback" not in woke, woke
        assert LEASE_LOST not in log_of(fleet, "taker")
    finally:
        fleet.stop_all()


def test_a_crawl_longer_than_its_lease_keeps_it(server: MockServer, pg_url: str, tmp_path: Path) -> None:
    """A 2 s lease, a page that takes 5 s, a second worker waiting for work: no takeover, one crawl."""
    lease_seconds = 2
    source = serve_board(server, 0, delay=2.5 * lease_seconds)
    fleet = Fleet(write_config(tmp_path, [source], extra_toml=crawl_settings(lease_seconds, per_job=10)),
                  pg_url, tmp_path)
    try:
        fleet.start_worker("w0")
        fleet.start_worker("w1")
        cycle = fleet.start_cycle()
        fleet.wait_finished(cycle, timeout=60)
        assert len(server.requested("/v1/boards/b0/jobs")) == 1, "the source was crawled once"
        assert fleet.scalar("SELECT attempt FROM leases WHERE cycle_id = :c", c=cycle) == 1, "never taken over"
        [run] = fleet.all("SELECT status, error, finished_at - started_at AS took FROM crawl_runs "
                          "WHERE cycle_id = :c", c=cycle)
        assert (run.status, run.error) == ("ok", None)
        assert run.took.total_seconds() > 2 * lease_seconds, "the crawl outlasted its lease"
        assert fleet.scalar("SELECT count(*) FROM posting_versions") == 3
        assert all(LEASE_LOST not in log_of(fleet, name) for name in ("w0", "w1"))
        assert_clean(fleet)
    finally:
        fleet.stop_all()
