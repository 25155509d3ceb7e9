"""jobtrail.toml mistakes are caught before anything is crawled, and named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrail.crawler.sources import ConfigError, load_config
from tests.crawl_helpers import run_cli

GOOD = '[[sources]]\nname = "acme"\nurl = "https://acme.test/careers"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[sources]]\nname = "acme"\n', "source 'acme': missing 'url'"),
        ('[[sources]]\nname = "acme"\nurl = "https://a.test"\nselctors = {}\n', "unknown key(s): selctors"),
        (GOOD + GOOD, "source 'acme': duplicate name"),
        ('[[sources]]\nname = "acme"\nurl = "https://a.test"\nlink_pattern = "(["\n',
         "'link_pattern' is not a valid regex"),
        ('[[sources]]\nname = "acme"\nurl = "ftp://a.test"\n', "'url' must be an http(s) URL"),
        ('[[sources]]\nname = "acme"\nurl = "https://a.test"\nkind = "monster"\n', "unknown 'kind' 'monster'"),
        ('[[sources]]\nurl = "https://a.test"\n', "sources[0]: missing 'name'"),
        ('[[sources]]\nname = "a"\nurl = "https://a.test"\n[sources.selectors]\ncolour = "h1"\n', "unknown selector"),
        ("[database]\nurl = 'sqlite:///x.db'\npassword = 'x'\n", "[database] takes only 'url'"),
        ('[[sources]]\nname = "a"\nboard = "acme"\n', "'board' needs an ATS 'kind'"),
        ("[sources\n", "not valid TOML"),
        ("[colours]\n", "unknown top-level key(s): colours"),
    ],
)
def test_errors_name_file_source_and_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "jobtrail.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_good_config_and_relative_sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOBTRAIL_DB_URL", raising=False)
    path = tmp_path / "jobtrail.toml"
    path.write_text('[database]\nurl = "sqlite:///data/jobs.db"\n' + GOOD)
    config = load_config(path)
    assert config.database_url == f"sqlite:///{tmp_path / 'data' / 'jobs.db'}"
    assert config.sources[0].kind == "auto"


def test_env_overrides_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBTRAIL_DB_URL", "postgresql+psycopg://u@h/db")
    path = tmp_path / "jobtrail.toml"
    path.write_text(GOOD)
    assert load_config(path).database_url == "postgresql+psycopg://u@h/db"


def test_crawl_refuses_bad_config_before_fetching(tmp_path: Path) -> None:
    path = tmp_path / "jobtrail.toml"
    path.write_text('[[sources]]\nname = "acme"\n')
    result = run_cli(["-c", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}", "crawl"])
    assert result.returncode != 0
    assert "missing 'url'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists(), "nothing is touched before the config is valid"


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "jobtrail.toml"
    result = run_cli(["-c", str(path), "init"])
    assert result.returncode == 0, result.stderr
    config = load_config(path)
    assert [source.url for source in config.sources] == ["http://127.0.0.1:8000/careers.html"], "local-safe"
    assert config.every == 86400
    commands = [line.strip() for line in result.stdout.splitlines() if line.startswith("  jobtrail")]
    assert [command.split()[3] for command in commands] == ["add", "crawl", "sources"], result.stdout
    again = run_cli(["-c", str(path), "init"])
    assert again.returncode != 0 and "already exists" in again.stderr


def test_db_password_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "jobtrail.toml"
    path.write_text(GOOD)
    url = "postgresql+psycopg://jobtrail:s3cr3t-pw@127.0.0.1:1/nowhere"
    result = run_cli(["-c", str(path), "--db", url, "crawl"])
    assert result.returncode != 0
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert "cannot open database" in result.stderr
