"""The history commands end to end through click, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.cli import main
from jobtrail.crawler.cli.output import Style, parse_at, parse_since, word_diff
from tests.factories import build_history


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions.begin() as session:
        return build_history(session)


@pytest.fixture
def jobtrail(db_url: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no jobtrail.toml here: --db is the whole config

    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(main, ["--db", db_url, *args], catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    return run


def test_changes_json_shape(jobtrail, ids) -> None:
    data = json.loads(jobtrail("changes", "--since", "2026-01-01", "--kind", "changed", "--json"))
    assert [list(item) for item in data] == [
        ["posting_id", "source", "company", "title", "url", "kind", "at", "fields", "status", "first_seen", "last_seen",
         "closed_at"]
    ] * 2
    first = data[0]
    assert (first["posting_id"], first["kind"], first["at"]) == (ids["backend"], "changed", "2026-01-12T09:00:00+00:00")
    assert first["fields"]["requirements"]["added"] == ["Knowledge of D or C++ is a plus"]


def test_changes_text_shows_items_and_word_diffs_without_color(jobtrail, ids) -> None:
    out = jobtrail("changes", "--since", "2026-01-01", "--company", "ahrefs")
    assert "+ Knowledge of D or C++ is a plus" in out
    assert "~ Solid knowledge of OCaml with some {+D and+} C++" in out
    assert "\u2212 A degree in Computer Science" in out
    assert "onsite \u2192 hybrid" in out
    assert "\x1b[" not in out


def test_changes_since_now_is_empty(jobtrail, ids) -> None:
    assert "No changes since" in jobtrail("changes", "--since", "1h")


def test_history_follows_the_repost_and_says_so(jobtrail, ids) -> None:
    out = jobtrail("history", "backend developer", "--company", "Ahrefs")
    assert f"reposts followed: #{ids['backend']} \u2192 #{ids['backend2']}" in out
    assert f"reposted as #{ids['backend2']}" in out
    assert out.index("v1  2026-01-05") < out.index("v3  2026-01-19") < out.index("v1  2026-01-29")
    data = json.loads(jobtrail("history", str(ids["backend"]), "--json"))
    assert data["chain"] == [ids["backend"], ids["backend2"]]
    assert [(v["posting_id"], v["seq"]) for v in data["versions"]][-1] == (ids["backend2"], 1)


def test_history_ambiguous_or_missing(jobtrail, ids) -> None:
    assert "postings match" in jobtrail("history", "e", ok=False)
    assert "no posting matches 'nothing like this'" in jobtrail("history", "nothing like this", ok=False)


def test_diff_default_and_explicit_versions(jobtrail, ids) -> None:
    last_two = jobtrail("diff", str(ids["backend"]))
    assert "v2 (2026-01-12 09:00) \u2192 v3" in last_two and "A degree in Computer Science" in last_two
    data = json.loads(jobtrail("diff", str(ids["backend"]), "1", "3", "--json"))
    assert (data["from"]["seq"], data["to"]["seq"]) == (1, 3)
    assert data["fields"]["requirements"]["added"] == ["Knowledge of D or C++ is a plus"]
    assert "no version 7" in jobtrail("diff", str(ids["backend"]), "1", "7", ok=False)
    assert "only one version" in jobtrail("diff", str(ids["data"]), ok=False)


@pytest.mark.parametrize(
    ("at", "seq"),
    [("2026-01-05", 1), ("2026-01-12", 2), ("2026-01-12T08:59:00", 1), ("2026-02-01", 3)],
)
def test_show_at(jobtrail, ids, at, seq) -> None:
    data = json.loads(jobtrail("show", str(ids["backend"]), "--at", at, "--json"))
    assert data["seq"] == seq
    assert "diff" not in data


def test_show_text_and_errors(jobtrail, ids) -> None:
    out = jobtrail("show", str(ids["backend"]), "--at", "2026-01-12")
    assert "version 2 of 3" in out and "  \u2022 Knowledge of D or C++ is a plus" in out
    assert "first seen 2026-01-05 09:00 UTC" in jobtrail("show", str(ids["backend"]), "--at", "2025-12-31", ok=False)
    assert "neither a duration" in jobtrail("show", str(ids["backend"]), "--at", "soon", ok=False)


def test_search_json_and_removed(jobtrail, ids) -> None:
    hits = json.loads(jobtrail("search", "degree", "--field", "requirements", "--removed", "--json"))
    assert [(h["posting_id"], h["present"], h["removed_seq"]) for h in hits] == [(ids["backend"], False, 3)]
    out = jobtrail("search", "D or C++")
    assert "still present" in out and "\u201cKnowledge of D or C++ is a plus\u201d" in out
    assert "no letters or digits" in jobtrail("search", "++", ok=False)


@pytest.mark.parametrize("what", ["--versions", "--changes"])
def test_export_csv_and_jsonl_agree(jobtrail, ids, what) -> None:
    lines = [json.loads(line) for line in jobtrail("export", "--format", "jsonl", what).splitlines()]
    rows = list(csv.DictReader(io.StringIO(jobtrail("export", "--format", "csv", what))))
    assert len(lines) == len(rows) == (5 if what == "--versions" else 6)
    key = "requirements" if what == "--versions" else "fields"
    assert [json.loads(row[key]) for row in rows] == [line[key] for line in lines]


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1d", NOW - timedelta(days=1)),
        ("12h", NOW - timedelta(hours=12)),
        ("90d", NOW - timedelta(days=90)),
        ("2w", NOW - timedelta(weeks=2)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T10:00:00+02:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
    ],
)
def test_parse_since(value, expected) -> None:
    assert parse_since(value, now=NOW) == expected


def test_parse_at_means_end_of_day_and_rejects_nonsense() -> None:
    assert parse_at("2026-03-01") == datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    with pytest.raises(click.BadParameter):
        parse_since("yesterday")


def test_word_diff_plain_and_colored() -> None:
    runs = [["=", "OCaml with some"], ["+", "D and"], ["=", "C++"], ["-", "old"]]
    assert word_diff(runs, Style(color=False)) == "OCaml with some {+D and+} C++ [-old-]"
    assert "\x1b[32mD and" in word_diff(runs, Style(color=True))
