"""What every command shares: the config file and the database, opened lazily.

Nothing heavy is imported here (SQLAlchemy, Alembic, Scrapy load on first use), so
`jobtrail --help` stays fast; tests/test_cli_startup.py checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.sources import Config, ConfigError, load_config, resolve_db_url

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    Database = tuple[Engine, sessionmaker[Session]]

#: exit code when another run holds the lock (EX_TEMPFAIL: "try again later")
EXIT_LOCKED = 75
#: the lock every crawl and delivery takes, so overlapping cron runs never interleave
RUN_LOCK = "run"


class ConfigProblem(click.ClickException):
    """A mistake in jobtrail.toml or the options: exit code 2, so cron can tell it from a failed site."""

    exit_code = 2


@dataclass
class CliContext:
    config_path: str
    db_url: str | None = None
    _db: tuple[Engine, sessionmaker[Session]] | None = field(default=None, repr=False)

    def config(self, *, required: bool = True) -> Config:
        try:
            return self._load(required)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None

    def _load(self, required: bool) -> Config:
        return load_config(self.config_path, required=required)

    @cached_property
    def database_url(self) -> str:
        from jobtrail.storage.db import UnsupportedDatabase, check_url

        url = resolve_db_url(self.db_url) if self.db_url else self.config(required=False).database_url
        try:
            check_url(url)  # "mysql:// is not supported", not "No module named 'MySQLdb'"
        except UnsupportedDatabase as exc:
            raise ConfigProblem(str(exc)) from None
        return url

    def sessions(self, *, create: bool = False) -> sessionmaker[Session]:
        """Session factory on the configured database, migrated to the latest schema.

        Only commands that write (crawl, run) pass ``create``: a read command run in the
        wrong folder says where it looked instead of leaving an empty jobtrail.db behind.
        """
        from jobtrail.storage.db import open_database

        if self._db is None:
            if not create:
                self._check_exists()
            self._db = self._open(open_database)
        return self._db[1]

    def read_only_sessions(self) -> sessionmaker[Session]:
        """Like sessions(), but the connections refuse writes (what `jobtrail serve` reads through)."""
        from jobtrail.storage.db import open_read_only

        self._check_exists()
        return self._open(open_read_only)[1]

    def _open(self, opener: Callable[[str], Database]) -> Database:
        from jobtrail.storage.db import mask_url

        try:
            return opener(self.database_url)
        except Exception as exc:  # a DB error message may embed the URL: mask it
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise click.ClickException(
                f"cannot open database {mask_url(self.database_url)}: "
                f"{message.replace(self.database_url, mask_url(self.database_url))}"
            ) from None

    def database_missing(self) -> bool:
        """A SQLite file that does not exist yet (nothing crawled here); never true for PostgreSQL."""
        path = sqlite_path(self.database_url)
        return path is not None and not path.exists()

    def _check_exists(self) -> None:
        if not self.database_missing():
            return
        path = sqlite_path(self.database_url)
        if self.db_url:
            origin = "from --db / JOBTRAIL_DB_URL"
        elif Path(self.config_path).exists():
            origin = f"from {self.config_path}"
        else:
            origin = f"the default; there is no {self.config_path} in {Path.cwd()}"
        raise click.ClickException(
            f"no database at {path} ({origin}). Run this where your jobtrail.toml is, pass -c/--db, "
            "or create one with: jobtrail init && jobtrail crawl"
        )


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url[len("sqlite:///"):]).resolve()
