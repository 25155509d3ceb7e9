"""How fast the history queries stay as history grows (a benchmark, not a test).

Builds a synthetic database of N postings x M versions (default 100,000 x 10 = 1M
versions) with bulk inserts (executemany on SQLite, COPY on PostgreSQL; the full-text
triggers of migration 0002 run as in production), then times storage.history, .search and .export:

    history of one posting   target < 50 ms
    diff of two versions     (versions() + pipelines.diff)
    phrase search            target < 200 ms (median of 9 runs)
    export                   target >= 50,000 versions/s (JSONL and CSV, as `jobtrail export` writes them)

    python benchmarks/history.py                         # both databases, full size
    python benchmarks/history.py --postings 2000 --versions 5 --only sqlite
    python benchmarks/history.py --explain               # also print the query plans
    python benchmarks/history.py --reuse /tmp/bench      # load once, then re-time the kept databases

PostgreSQL: JOBTRAIL_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
the run uses its own schema, dropped at the end (with --reuse: bench_history_<N>x<M>, kept,
like the SQLite file DIR/bench-<N>x<M>.db; a kept database is migrated to head before timing).
The machine's other load shows in the numbers: compare medians of a few runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from jobtrail.crawler.cli.history import export_versions  # noqa: E402
from jobtrail.crawler.items import SEARCH_FIELDS  # noqa: E402
from jobtrail.pipelines.diff import diff_postings  # noqa: E402
from jobtrail.storage import history, search  # noqa: E402
from jobtrail.storage.db import open_database  # noqa: E402
from jobtrail.storage.search import candidate_ids  # noqa: E402

PG_URL = os.environ.get("JOBTRAIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_history"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
RARE_PHRASE = "D or C++"  # in ~0.5% of postings, from some version on
REMOVED_WORD = "degree"  # in ~3% of postings, dropped by a later version
ROLES = ["Backend Developer", "Data Engineer", "Site Reliability Engineer", "Frontend Developer",
         "Product Designer", "Engineering Manager", "Machine Learning Engineer", "QA Engineer"]
WORDS = ("build maintain scale distributed systems services pipelines users customers data team product "
         "quality reliable fast secure cloud platform tools code review design test deploy monitor "
         "python go rust ocaml java kotlin typescript sql postgres kafka kubernetes linux network").split()


# --- synthetic data -------------------------------------------------------------------------

class Generator:
    """Deterministic postings: each version rewords one bullet of the previous one."""

    def __init__(self, postings: int, versions: int, seed: int = 7) -> None:
        self.postings, self.versions = postings, versions
        self.rng = random.Random(seed)
        self.bullets = [self._sentence(6, 12) for _ in range(800)]
        self.paragraphs = [self._sentence(30, 50) for _ in range(200)]

    def _sentence(self, low: int, high: int) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def rows(self) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(posting row, version rows, change rows) per posting; ids are assigned here."""
        version_id = change_id = 0
        for pid in range(1, self.postings + 1):
            rng = self.rng
            title = f"{rng.choice(ROLES)} {pid % 97}"
            company = f"Company {pid % 2000}"
            url = f"https://jobs.example.com/{pid}"
            requirements = rng.sample(self.bullets, 5)
            if rng.random() < 0.03:
                requirements.append(f"A {REMOVED_WORD} in Computer Science")
            rare_from = rng.randint(1, self.versions) if rng.random() < 0.005 else None
            description = rng.choice(self.paragraphs) + "\n\n" + rng.choice(self.paragraphs)
            versions, changes, previous_id = [], [], None
            start = T0 + timedelta(minutes=pid)
            for seq in range(1, self.versions + 1):
                if seq > 1:
                    requirements = list(requirements)
                    index = rng.randrange(len(requirements))
                    old, requirements[index] = requirements[index], rng.choice(self.bullets)
                if rare_from == seq:
                    requirements = [*requirements, f"Knowledge of {RARE_PHRASE} is a plus"]
                version_id += 1
                at = start + timedelta(days=7 * (seq - 1))
                versions.append((version_id, pid, seq, f"h{pid}-{seq}", at, url, title, company,
                                 json.dumps(["Singapore"]), description, json.dumps(requirements)))
                change_id += 1
                diff = {} if seq == 1 else {"requirements": {"added": [requirements[index]], "removed": [old],
                                                             "reworded": []}}
                changes.append((change_id, pid, previous_id, version_id, "new" if seq == 1 else "changed",
                                json.dumps(diff), at))
                previous_id = version_id
            last_seen = start + timedelta(days=7 * (self.versions - 1))
            yield ((pid, 1 + pid % 10, str(pid), url, title, company, f"h{pid}-{self.versions}", self.versions,
                    start, last_seen), versions, changes)


POSTING_COLUMNS = ("id", "source_id", "external_id", "url", "title", "company", "content_hash", "latest_seq",
                   "first_seen", "last_seen")
VERSION_COLUMNS = ("id", "posting_id", "seq", "content_hash", "observed_at", "url", "title", "company",
                   "locations", "description", "requirements")
CHANGE_COLUMNS = ("id", "posting_id", "from_version_id", "to_version_id", "kind", "diff", "created_at")


def _sources(connection: Any, placeholder: str) -> None:
    cursor = connection.cursor()
    cursor.executemany(
        f"INSERT INTO sources (id, name, kind, url, company, created_at) VALUES "
        f"({', '.join([placeholder] * 6)})",
        [(i, f"source-{i}", "page", f"https://s{i}.example.com", None, _stamp(T0, placeholder)) for i in range(1, 11)],
    )


def _stamp(moment: datetime, placeholder: str) -> Any:
    """SQLite stores DateTime as text in SQLAlchemy's format; PostgreSQL takes the datetime."""
    return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if placeholder == "?" else moment


def batches(generator: Generator, size: int = 20_000) -> Iterator[tuple[list, list, list]]:
    """Posting, version and change rows, about ``size`` versions at a time."""
    buffers: tuple[list, list, list] = ([], [], [])
    for posting, versions, changes in generator.rows():
        buffers[0].append((*posting, "open", 0))
        buffers[1].extend((*row, "[]", "[]", "[]", "[]") for row in versions)
        buffers[2].extend(changes)
        if len(buffers[1]) >= size:
            yield buffers
            buffers = ([], [], [])
    if buffers[0]:
        yield buffers


TABLES = (
    ("postings", (*POSTING_COLUMNS, "status", "missed_runs")),
    ("posting_versions", (*VERSION_COLUMNS, "nice_to_have", "responsibilities", "benefits", "related_jobs")),
    ("changes", CHANGE_COLUMNS),
)


def load_sqlite(url: str, generator: Generator) -> None:
    engine, _ = open_database(url)
    connection = engine.raw_connection()
    cursor = connection.cursor()
    _sources(connection, "?")
    for buffers in batches(generator):
        for (table, columns), rows in zip(TABLES, buffers, strict=True):
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple(_fix(value, "?") for value in row) for row in rows],
            )
    connection.commit()
    cursor.execute("ANALYZE")
    connection.close()
    engine.dispose()


def _fix(value: Any, placeholder: str) -> Any:
    return _stamp(value, placeholder) if isinstance(value, datetime) else value


def load_postgresql(url: str, generator: Generator) -> None:
    engine, _ = open_database(url)
    connection = engine.raw_connection()
    _sources(connection, "%s")
    driver = connection.driver_connection
    with driver.cursor() as cursor:
        for buffers in batches(generator):
            for (table, columns), rows in zip(TABLES, buffers, strict=True):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
    for table in ("sources", "postings", "posting_versions", "changes"):
        driver.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    connection.commit()
    driver.autocommit = True
    driver.execute("VACUUM ANALYZE")
    connection.close()
    engine.dispose()


# --- timings --------------------------------------------------------------------------------

def _time(work: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(url: str, postings: int, versions: int, explain: bool) -> list[tuple[str, str, str, bool]]:
    engine, factory = open_database(url, migrate=False)
    rng = random.Random(1)
    sample = [rng.randint(1, postings) for _ in range(200)]
    rows: list[tuple[str, str, str, bool]] = []
    with factory() as session:
        if explain:
            _explain(session, sample[0])
        history_ms = [t for pid in sample for t in _time(lambda pid=pid: history.history(session, pid), 1)]
        rows.append(_row("history of one posting (median / p95)", history_ms, 50))
        diff_ms = [t for pid in sample for t in _time(lambda pid=pid: _diff(session, pid, versions), 1)]
        rows.append(_row("diff of two versions (median / p95)", diff_ms, 50))
        for label, work in (
            (f'search "{RARE_PHRASE}"', lambda: search.search(session, RARE_PHRASE)),
            (f'search "{REMOVED_WORD}" --field requirements --removed',
             lambda: search.search(session, REMOVED_WORD, field="requirements", removed=True)),
        ):
            hits = len(work())
            rows.append(_row(f"{label} ({hits} hits)", _time(work, 9), 200))
        for fmt in ("jsonl", "csv"):
            start = time.perf_counter()
            count = export_versions(session, fmt, _Discard())  # what `jobtrail export --format FMT` runs
            rate = count / (time.perf_counter() - start)
            rows.append((f"export {count:,} versions as {fmt.upper()}", f"{rate:,.0f} versions/s", ">= 50,000/s",
                         rate >= 50_000))
    engine.dispose()
    return rows


class _Discard(io.TextIOBase):
    def write(self, data: str) -> int:
        return len(data)


def _diff(session: Session, posting_id: int, versions: int) -> dict[str, Any]:
    old, new = history.versions(session, posting_id, [1, versions])
    return diff_postings(old.posting(), new.posting())


def _row(label: str, times: list[float], target_ms: float) -> tuple[str, str, str, bool]:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    many = len(times) > 10
    shown = f"{median:.1f} / {p95:.1f} ms" if many else f"{median:.1f} ms"
    return label, shown, f"< {target_ms:g} ms", p95 < target_ms if many else median < target_ms


def _explain(session: Session, posting_id: int) -> None:
    """Print the plans of the hot statements (how migration 0002's indexes were chosen)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    prefix = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    for sql in (
        f"SELECT * FROM posting_versions WHERE posting_id = {posting_id} ORDER BY seq",
        f"SELECT id FROM postings WHERE repost_of_id = {posting_id} ORDER BY first_seen LIMIT 1",
        f"SELECT to_version_id, diff FROM changes WHERE posting_id = {posting_id} AND from_version_id IS NOT NULL",
        _sql(session, search.candidate_select(candidate_ids(session, RARE_PHRASE), SEARCH_FIELDS)),
        _sql(session, search.candidate_select(candidate_ids(session, REMOVED_WORD, field="requirements"),
                                               ["requirements"], ends_only=True)),
        _sql(session, search.first_and_latest_select(
            search.candidate_ends(session, REMOVED_WORD, field="requirements"), "requirements")),
        "SELECT * FROM changes WHERE created_at >= '2025-03-01' ORDER BY created_at, id",
    ):
        print(f"\n{sql}")
        for line in session.execute(text(f"{prefix} {sql}")):
            print("   ", " | ".join(str(part) for part in line))


def _sql(session: Session, statement: Any) -> str:
    """A statement as the SQL the database runs, parameters inlined (for EXPLAIN)."""
    return str(statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))


# --- main -----------------------------------------------------------------------------------

def _pg_schema_url(schema: str, fresh: bool) -> tuple[str, Any]:
    admin = create_engine(PG_URL)
    if fresh:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}", admin


def _loaded(url: str, postings: int, versions: int) -> bool:
    """Does ``url`` already hold a complete benchmark database of this size (for --reuse)?"""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM posting_versions")).scalar()
    except Exception:
        return False
    finally:
        engine.dispose()
    return count == postings * versions


def _target(backend: str, args: argparse.Namespace) -> tuple[str, Any, bool]:
    """(database URL, admin engine for PostgreSQL, already loaded?) for this run."""
    size = f"{args.postings}x{args.versions}"
    if backend == "sqlite":
        folder = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="jobtrail-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder}/bench-{size}.db"
        return url, None, bool(args.reuse) and _loaded(url, args.postings, args.versions)
    schema = f"{SCHEMA}_{size}" if args.reuse else SCHEMA
    url, admin = _pg_schema_url(schema, fresh=False)
    if args.reuse and _loaded(url, args.postings, args.versions):
        return url, admin, True
    return _pg_schema_url(schema, fresh=True)[0], admin, False


def run(backend: str, args: argparse.Namespace) -> list[tuple[str, str, str, bool]]:
    url, admin, loaded = _target(backend, args)
    total = args.postings * args.versions
    if loaded:
        open_database(url)[0].dispose()  # apply any newer migration to the kept database
        rows = [(f"reused {total:,} versions (kept by --reuse)", "", "", True)]
    else:
        if backend == "sqlite":
            for path in Path(url[len("sqlite:///"):]).parent.glob(Path(url).name + "*"):
                path.unlink()
        start = time.perf_counter()
        (load_sqlite if backend == "sqlite" else load_postgresql)(url, Generator(args.postings, args.versions))
        load_s = time.perf_counter() - start
        rows = [(f"load {total:,} versions (bulk, with FTS triggers)", f"{load_s:.1f} s "
                 f"({total / load_s:,.0f}/s)", "", True)]
    keep = args.keep or bool(args.reuse)
    try:
        rows += measure(url, args.postings, args.versions, args.explain)
    finally:
        if admin is not None and not keep:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        if backend == "sqlite" and not keep:
            for path in Path(url[len("sqlite:///"):]).parent.glob("bench-*.db*"):
                path.unlink()
        if admin is not None:
            admin.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--reuse", metavar="DIR",
                        help="keep the databases (SQLite file in DIR, PostgreSQL schema bench_history_<size>) "
                             "and reuse them on the next run with the same size instead of loading again")
    args = parser.parse_args()
    results = {}
    for backend in ("sqlite", "postgresql"):
        if args.only in (None, backend):
            results[backend] = run(backend, args)
    print(f"\njobtrail history benchmark: {args.postings:,} postings x {args.versions} versions")
    width = max(len(label) for rows in results.values() for label, *_ in rows)
    for backend, rows in results.items():
        print(f"\n{backend}")
        for label, value, target, ok in rows:
            mark = "" if not target else ("ok" if ok else "MISSED")
            print(f"  {label:<{width}}  {value:>26}  {target:>12}  {mark}")


if __name__ == "__main__":
    main()
