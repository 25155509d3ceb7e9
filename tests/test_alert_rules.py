"""Which change goes to which channel, and what a bad [[notify]] table says — as tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobtrail.crawler.sources.config import ConfigError
from jobtrail.pipelines.alerts.config import load_channels, mask_secret_url
from jobtrail.pipelines.alerts.rules import matching_channels, wants_change
from tests.alert_helpers import make_config

REQ = {"requirements": {"added": ["Rust"], "removed": [], "reworded": []}}
SALARY = {"salary": {"old": None, "new": {"min": 1, "max": 2, "currency": "EUR", "interval": "year"}}}
LOC = {"locations": {"added": ["Berlin"], "removed": [], "reworded": []}}

WANTS_CHANGE = [
    # on, kind, diff, expected
    ({"requirements", "related_jobs", "new", "closed"}, "new", {}, True),
    ({"requirements", "related_jobs", "new", "closed"}, "closed", {}, True),
    ({"requirements", "related_jobs", "new", "closed"}, "reopened", {}, False),
    ({"requirements", "related_jobs", "new", "closed"}, "changed", REQ, True),
    ({"requirements", "related_jobs", "new", "closed"}, "changed", SALARY, False),
    ({"requirements"}, "new", {}, False),
    ({"requirements"}, "reopened", REQ, True),
    ({"salary"}, "changed", {**REQ, **SALARY}, True),
    ({"locations"}, "changed", LOC, True),
    ({"reopened"}, "reopened", {}, True),
    ({"changed"}, "changed", SALARY, True),
    ({"any"}, "closed", {}, True),
    ({"any"}, "changed", SALARY, True),
    ({"title"}, "changed", {}, False),
]


@pytest.mark.parametrize(("on", "kind", "diff", "expected"), WANTS_CHANGE)
def test_wants_change(on: set[str], kind: str, diff: dict[str, Any], expected: bool) -> None:
    assert wants_change(frozenset(on), kind, diff) is expected


FILTERS = [
    # channel options, source, expected to match
    ({}, "ahrefs", True),
    ({"sources": ["ahrefs"]}, "ahrefs", True),
    ({"sources": ["ahrefs"]}, "acme", False),
    ({"tags": ["backend"]}, "ahrefs", True),
    ({"tags": ["backend"]}, "acme", False),
    ({"tags": ["frontend", "backend"]}, "acme", True),
    ({"sources": ["ahrefs"], "tags": ["frontend"]}, "ahrefs", False),  # both given: both must hold
    ({"sources": ["acme"], "tags": ["frontend"]}, "acme", True),
    ({"on": ["location"]}, "ahrefs", True),  # alias of locations
    ({"on": ["salary"]}, "ahrefs", False),
]


@pytest.mark.parametrize(("options", "source", "expected"), FILTERS)
def test_source_and_tag_filters(tmp_path: Path, options: dict[str, Any], source: str, expected: bool) -> None:
    config = make_config(tmp_path, [{"name": "c", "url": "json://127.0.0.1:9/x", **options}])
    channels = load_channels(config)
    tags = config.source(source).tags
    assert bool(matching_channels(channels, "changed", {**REQ, **LOC}, source, tags)) is expected


BAD = [
    # notify table, words the error must contain
    ({"name": "m", "url": "json://127.0.0.1/x", "colour": "red"}, ["notify 'm'", "unknown key", "colour"]),
    ({"name": "m", "url": "mailtos://${NOPE_USER}:x@example.com"}, ["notify 'm'", "'url'", "NOPE_USER"]),
    ({"name": "m", "url": "notaservice://user:hunter22@host"}, ["notify 'm'", "'url'", "apprise"]),
    ({"name": "m", "url": "json://127.0.0.1/x", "tags": ["ops"]}, ["notify 'm'", "'tags'", "ops"]),
    ({"name": "m", "url": "json://127.0.0.1/x", "sources": ["nope"]}, ["'sources'", "nope"]),
    ({"name": "m", "url": "json://127.0.0.1/x", "on": ["requirementz"]}, ["'on'", "requirementz"]),
    ({"name": "m", "url": "json://127.0.0.1/x", "mode": "hourly"}, ["'mode'", "hourly"]),
    ({"name": "m", "url": "json://127.0.0.1/x", "max_attempts": 0}, ["max_attempts"]),
    ({"name": "m"}, ["notify 'm'", "missing 'url'"]),
    ({"url": "json://127.0.0.1/x"}, ["notify[0]", "missing 'name'"]),
    ({"name": "m", "url": "missing-apprise.yml"}, ["notify 'm'", "not found"]),
]


@pytest.mark.parametrize(("table", "words"), BAD)
def test_config_errors_name_file_channel_and_key(tmp_path: Path, table: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        load_channels(make_config(tmp_path, [table]))
    message = str(error.value)
    assert str(tmp_path / "jobtrail.toml") in message
    for word in words:
        assert word in message
    assert "hunter22" not in message


def test_env_vars_fill_the_url_and_stay_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JT_SMTP_USER", "robot")
    monkeypatch.setenv("JT_SMTP_PASS", "s3cr3t-pass")
    config = make_config(tmp_path, [{
        "name": "team-mail", "url": "mailtos://${JT_SMTP_USER}:${JT_SMTP_PASS}@smtp.example.com?to=h@example.com",
    }])
    (channel,) = load_channels(config)
    assert "s3cr3t-pass" in channel.url
    assert "s3cr3t-pass" not in channel.display_url and "robot" in channel.display_url
    assert "s3cr3t-pass" not in repr(channel)
    assert channel.scrub(f"failed to log in to {channel.url} with s3cr3t-pass") .count("s3cr3t-pass") == 0
    assert channel.on == frozenset({"requirements", "related_jobs", "new", "closed"})


MASKS = [
    ("mailtos://user:pa55word@smtp.example.com?to=h@example.com", "pa55word"),
    ("json://user:topsecret@127.0.0.1:8080/hook", "topsecret"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "TIiajkdnlazkcOXrIdevi7FQ"),
    ("unknownscheme://bob:hunter22@example.com/x?token=abcdef123", "hunter22"),
    ("unknownscheme://example.com/x?api_key=abcdef123", "abcdef123"),
]


@pytest.mark.parametrize(("url", "secret"), MASKS)
def test_mask_secret_url(url: str, secret: str) -> None:
    assert secret not in mask_secret_url(url)


def test_apprise_config_file_with_tags(tmp_path: Path) -> None:
    (tmp_path / "apprise.yml").write_text(
        "urls:\n  - json://127.0.0.1:9/a:\n      tag: chat\n  - json://127.0.0.1:9/b:\n      tag: other\n",
        encoding="utf-8",
    )
    config = make_config(tmp_path, [{"name": "chat", "url": "apprise.yml", "mode": "instant", "tag": "chat"}])
    (channel,) = load_channels(config)
    assert channel.is_config_file and channel.url == str(tmp_path / "apprise.yml")
    assert channel.apprise_tags == ("chat",)
