"""JSON APIs that are not quite JSON: NaN/1e999 ids and absurd nesting fail that page with one
clear line; no ('inf', 'nan') posting is stored and no real posting counts missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.crawl_helpers import run_crawl_cli, write_config
from tests.faults.site import FAST, Stored, one_line
from tests.mockserver import MockServer

BOARD = FIXTURES / "faults" / "greenhouse_tidewater"
DEEP = b'{"jobs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize(("body", "words"), [
    ((BOARD / "board_nonfinite_ids.json").read_bytes(), "JSON holds a non-finite number (1e999); page skipped"),
    (DEEP, "JSON nested too deeply to read"),
], ids=["non-finite-ids", "nested-100000-deep"])  # ids: a 200 KB body in PYTEST_CURRENT_TEST overflows a child's env
def test_bad_json_fails_the_page_and_closes_nothing(tmp_path: Path, server: MockServer, db_url: str, body: bytes,
                                                    words: str) -> None:
    server.set_file("/v1/boards/tidewater/jobs", BOARD / "board.json")
    source = {"name": "tidewater", "kind": "greenhouse", "url": server.url("/v1/boards/tidewater/jobs")}
    config = write_config(tmp_path, [source], extra_toml=FAST + "jobtrail_close_after_misses = 1\n")
    assert run_crawl_cli(config, db_url).returncode == 0
    reader = Stored(db_url)

    server.set("/v1/boards/tidewater/jobs", body, content_type="application/json")
    for _ in range(2):
        result = run_crawl_cli(config, db_url)
        assert result.returncode == 1, result.stderr
        line = one_line(result.stderr)
        assert line.startswith("jobtrail: source tidewater failed: greenhouse: ") and words in line, line
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        assert reader.last_run()["status"] == "failed"
    assert reader.closed() == 0
    assert reader.scalar("SELECT count(*) FROM postings") == 3
    assert reader.scalar("SELECT count(*) FROM postings WHERE external_id IN ('inf', 'nan')") == 0
