"""`jobtrail add URL` against the real local HTTP server: detect, count, append, refuse duplicates."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from jobtrail.crawler.cli import main
from jobtrail.crawler.sources import load_config
from tests.conftest import FIXTURES
from tests.mockserver import MockServer

EXISTING = '# my sources, hand-written\n[[sources]]\nname = "ahrefs"   # keep this comment\nurl = "https://ahrefs.com/careers"\n'


def add(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["-c", str(config), "add", *args])


def test_adds_an_api_url_and_counts_its_postings(server: MockServer, tmp_path: Path) -> None:
    server.set_file("/v1/boards/northwind/jobs", FIXTURES / "greenhouse" / "board" / "input.json")
    config = tmp_path / "jobtrail.toml"
    config.write_text(EXISTING, encoding="utf-8")
    url = server.url("/v1/boards/northwind/jobs?content=true")

    result = add(config, url, "--kind", "greenhouse", "--name", "northwind")

    assert result.exit_code == 0, result.output
    assert "kind:     greenhouse" in result.output and "postings: 4" in result.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith(EXISTING), "the user's own text is kept as written"
    source = load_config(config).source("northwind")
    assert (source.kind, source.url, source.board) == ("greenhouse", url, None)


def test_detects_the_ats_a_careers_page_embeds(server: MockServer, tmp_path: Path) -> None:
    server.set_file("/careers", FIXTURES / "detect" / "greenhouse-embed.html")
    config = tmp_path / "missing-yet.toml"

    result = add(config, server.url("/careers"), "--no-check")

    assert result.exit_code == 0, result.output
    assert "board:    northwind" in result.output and "postings" not in result.output
    source = load_config(config).source("northwind")
    assert (source.kind, source.board, source.url) == ("greenhouse", "northwind", None)


def test_counts_a_workday_board_through_its_post_api(server: MockServer, tmp_path: Path) -> None:
    api = "/wday/cxs/granite/Careers/jobs"
    server.set_file(api, FIXTURES / "workday" / "list" / "input.json")
    server.set("/careers", f'<a href="{server.url(api)}">Jobs at Granite</a>')
    config = tmp_path / "jobtrail.toml"

    result = add(config, server.url("/careers"))

    assert result.exit_code == 0, result.output
    assert "kind:     workday" in result.output and "postings: 3" in result.output
    assert [r.method for r in server.requested(api)] == ["POST"]
    assert load_config(config).source("granite").url == server.url(api)


def test_refuses_duplicates_by_name_and_by_board(server: MockServer, tmp_path: Path) -> None:
    config = tmp_path / "jobtrail.toml"
    assert add(config, "https://jobs.lever.co/kestrel", "--no-check").exit_code == 0
    before = config.read_text(encoding="utf-8")

    same_board = add(config, "https://jobs.lever.co/kestrel/5c1a8f3e-2b7d", "--no-check", "--name", "other")
    same_name = add(config, "https://jobs.ashbyhq.com/kestrel", "--no-check")

    assert same_board.exit_code == 1 and "already watches this lever board" in same_board.output
    assert same_name.exit_code == 1 and "named 'kestrel' already exists" in same_name.output
    assert config.read_text(encoding="utf-8") == before


def test_unknown_board_and_unreachable_site_fail_in_one_line(server: MockServer, tmp_path: Path) -> None:
    config = tmp_path / "jobtrail.toml"
    missing = add(config, server.url("/v1/boards/nobody/jobs"), "--kind", "greenhouse")
    unreachable = add(config, "http://jobs:s3cret@127.0.0.1:9/careers")

    assert missing.exit_code == 1 and "board or posting not found (HTTP 404)" in missing.output
    assert unreachable.exit_code == 1 and "cannot fetch http://127.0.0.1:9/careers" in unreachable.output
    assert "s3cret" not in unreachable.output
    assert len(unreachable.output.strip().splitlines()) == 1
    assert not config.exists(), "nothing is written when the check fails"
