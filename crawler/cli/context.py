"""What every command shares: the config file and the database, opened lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources import Config, ConfigError, load_config, resolve_db_url
from jobtrail.storage.db import UnsupportedDatabase, check_url, mask_url, open_database

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
        url = resolve_db_url(self.db_url) if self.db_url else self.config(required=False).database_url
        try:
            check_url(url)  # "mysql:// is not supported", not "No module named 'MySQLdb'"
        except UnsupportedDatabase as exc:
            raise ConfigProblem(str(exc)) from None
        return url

    def sessions(self) -> sessionmaker[Session]:
        """Session factory on the configured database, migrated to the latest schema."""
        if self._db is None:
            try:
                self._db = open_database(self.database_url)
            except Exception as exc:  # a DB error message may embed the URL: mask it
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise click.ClickException(
                    f"cannot open database {mask_url(self.database_url)}: "
                    f"{message.replace(self.database_url, mask_url(self.database_url))}"
                ) from None
        return self._db[1]
