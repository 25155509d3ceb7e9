"""Four first runs at once on a fresh database: one migrates, the others wait for its lock.

Before the migration lock, two first runs both created the tables (SQLite: "table run_locks
already exists"; PostgreSQL: unique violation on pg_type) and exited 1 even with --wait.
Real processes, real databases; a start file releases them together once each has imported
everything, so they reach the migration within milliseconds of each other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.crawl_helpers import REPO, write_config
from tests.mockserver import MockServer

STARTER = """
import os, sys, time
from jobtrail.crawler.cli import main  # heavy imports before the barrier
import jobtrail.crawler.runner, jobtrail.crawler.sources.registry, alembic.command, jobtrail.storage.migrations
import sqlalchemy.dialects.sqlite, sqlalchemy.dialects.postgresql, psycopg
gate = sys.argv[1]
open(gate + "." + str(os.getpid()), "w").close()  # ready: past the imports, polling the gate
deadline = time.monotonic() + 60
while not os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.005)
sys.argv = ["jobtrail", *sys.argv[2:]]
main()
"""

PAGE = """<html><body><main><h1>Harbour Pilot (night shifts)</h1>
<h3>Requirements</h3><ul><li>A pilot licence for inland waters</li><li>Calm under fog</li></ul>
</main></body></html>"""


def _open_gate(gate: Path, children: list[subprocess.Popen[str]]) -> None:
    """Release the children once every one has said it is ready (each writes GATE.PID)."""
    deadline = time.monotonic() + 60
    while not all(Path(f"{gate}.{child.pid}").exists() or child.poll() is not None for child in children):
        assert time.monotonic() < deadline, "the children never got past their imports"
        time.sleep(0.02)
    gate.write_text("go")


def _race(tmp_path: Path, db_url: str, server: MockServer, runs: int = 4) -> list[subprocess.CompletedProcess[str]]:
    server.set("/crew/pilot", PAGE)
    config = write_config(tmp_path, [{"name": "tern-ferries", "url": server.url("/crew/pilot"), "kind": "page",
                                      "link_pattern": "/crew/"}])
    gate = tmp_path / "go"
    env = {**os.environ}
    env.pop("JOBTRAIL_DB_URL", None)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(gate), "-c", str(config), "--db", db_url, "crawl", "--wait", "120"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(runs)
    ]
    _open_gate(gate, children)
    results = []
    for child in children:
        out, err = child.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return results


def test_four_first_runs_race_safely(tmp_path: Path, db_url: str, server: MockServer) -> None:
    results = _race(tmp_path, db_url, server)
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "already exists" not in result.stderr and "UniqueViolation" not in result.stderr
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM postings")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM posting_versions")).scalar() == 1
        runs = connection.execute(text("SELECT status FROM crawl_runs")).scalars().all()
    engine.dispose()
    assert runs == ["ok"] * 4


OPENER = """
import os, sys, time
from jobtrail.storage.db import open_database
gate = sys.argv[1]
open(gate + "." + str(os.getpid()), "w").close()  # ready: past the imports, polling the gate
deadline = time.monotonic() + 60
while not os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.002)
open_database(sys.argv[2])[0].dispose()
"""


def test_four_processes_open_a_fresh_database_at_once(tmp_path: Path, db_url: str) -> None:
    """The narrowest race: nothing between the barrier and the migration."""
    gate = tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", OPENER, str(gate), db_url], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    _open_gate(gate, children)
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-1500:]
