"""Every ATS kind through the full crawl: real HTTP server, `jobtrail crawl` subprocess, real DB.

One config holds a board of each kind (so the whole matrix is two crawls). Between the
crawls each board changes like a real one: a requirement reworded, a posting gone, a
posting added; the database must show exactly those changes, per source. Lever,
SmartRecruiters and Workday boards hold more postings than one API page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from jobtrail.storage.models import Change, CrawlRun, Posting, Source
from tests.ats_boards import BOARDS, LEVER_PAGE, SMARTRECRUITERS_PAGE, Board, BodyRoutingServer
from tests.crawl_helpers import run_crawl_cli, write_config

#: a posting missing from one successful crawl is closed, so one crawl shows the removal
CLOSE_AFTER_ONE_MISS = "\n[crawl]\njobtrail_close_after_misses = 1\n"


def changes_by_source(db_url: str) -> dict[str, list[tuple[str, str, dict]]]:
    engine = create_engine(db_url)
    query = (select(Source.name, Posting.external_id, Change.kind, Change.diff)
             .join(Posting, Change.posting_id == Posting.id).join(Source, Posting.source_id == Source.id))
    with engine.connect() as connection:
        result: dict[str, list[tuple[str, str, dict]]] = {}
        for name, external_id, kind, diff in connection.execute(query):
            result.setdefault(name, []).append((kind, external_id, diff or {}))
        runs = list(connection.execute(select(CrawlRun.status, CrawlRun.error)))
    engine.dispose()
    assert all(status == "ok" for status, _ in runs), runs
    return result


@pytest.fixture
def boards_server() -> BodyRoutingServer:
    with BodyRoutingServer() as server:
        yield server


def serve_all(server: BodyRoutingServer, boards: dict[str, Board]) -> list[dict[str, object]]:
    return [{"name": kind, "kind": kind, **BOARDS[kind][1](server, board)} for kind, board in boards.items()]


def test_every_ats_kind_first_crawl_then_changes(boards_server: BodyRoutingServer, db_url: str,
                                                  tmp_path: Path) -> None:
    boards = {kind: make() for kind, (make, _) in BOARDS.items()}
    sources = serve_all(boards_server, boards)
    config = write_config(tmp_path, sources, extra_toml=CLOSE_AFTER_ONE_MISS)
    first_ids = {kind: {board.external_id(job) for job in board.jobs} for kind, board in boards.items()}

    first = run_crawl_cli(config, db_url)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = changes_by_source(db_url)
    for kind, ids in first_ids.items():
        assert Counter(k for k, _, _ in after_first.get(kind, [])) == {"new": len(ids)}, kind
        assert {external_id for _, external_id, _ in after_first[kind]} == ids, kind

    expected = {kind: board.change() for kind, board in boards.items()}
    serve_all(boards_server, boards)
    second = run_crawl_cli(config, db_url)
    assert second.returncode == 0, second.stdout + second.stderr

    after_second = changes_by_source(db_url)
    for kind, (changed, removed, added) in expected.items():
        fresh = [change for change in after_second[kind] if change not in after_first[kind]]
        assert sorted((k, i) for k, i, _ in fresh) == sorted(
            [("changed", changed), ("closed", removed), ("new", added)]), kind
        diff = next(d for k, _, d in fresh if k == "changed")
        assert set(diff) == {"requirements"}, (kind, diff)
        old, new = boards[kind].requirement
        assert len(diff["requirements"].get("reworded", [])) == 1, (kind, diff)
        [reworded] = diff["requirements"]["reworded"]
        assert old in reworded["old"] and new in reworded["new"], kind


def test_paging_fetches_every_page(boards_server: BodyRoutingServer, sqlite_url: str, tmp_path: Path) -> None:
    """Lever (skip/limit), SmartRecruiters (offset/totalFound) and Workday (POST offset, total on page 1)."""
    kinds = ("lever", "smartrecruiters", "workday")
    boards = {kind: BOARDS[kind][0]() for kind in kinds}
    assert len(boards["lever"].jobs) > LEVER_PAGE
    assert len(boards["smartrecruiters"].jobs) > SMARTRECRUITERS_PAGE
    assert len(boards["workday"].jobs) > 20
    config = write_config(tmp_path, serve_all(boards_server, boards))
    result = run_crawl_cli(config, sqlite_url)
    assert result.returncode == 0, result.stdout + result.stderr
    stored = changes_by_source(sqlite_url)
    for kind, board in boards.items():
        assert {i for _, i, _ in stored[kind]} == {board.external_id(job) for job in board.jobs}, kind
    workday_pages = [r for r in boards_server.requests if r.method == "POST"]
    assert len(workday_pages) == 2
