"""What the crawling commands (`crawl`, `run`) share: the run lock, running a crawl, its summary.

A helper module, not a command: command modules import it and never each other
(tests/test_architecture.py checks).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.cli.context import EXIT_LOCKED, RUN_LOCK, CliContext, ConfigProblem
from jobtrail.crawler.collector import tune_for_crawl
from jobtrail.crawler.sources.config import ConfigError

if TYPE_CHECKING:  # Scrapy, SQLAlchemy and apprise load when a crawl starts, not for --help
    from sqlalchemy.orm import Session, sessionmaker

    from jobtrail.crawler.runner import CrawlSummary


@contextmanager
def run_lock(obj: CliContext, command: str, wait: float) -> Iterator[sessionmaker[Session]]:
    """Hold the run lock for the block (overlapping cron runs wait ``wait`` seconds, else exit 75)."""
    tune_for_crawl()  # before the imports and migrations of a crawl (crawler/collector.py)
    from jobtrail.storage.locks import LockBusy, held

    sessions = obj.sessions(create=True)
    try:
        with held(sessions, RUN_LOCK, wait=wait):
            yield sessions
    except LockBusy as exc:
        click.echo(f"jobtrail {command}: another run is in progress ({exc}); exiting", err=True)
        raise SystemExit(EXIT_LOCKED) from None


def run_crawl(
    obj: CliContext, sources: list[str] | None, verbose: int = 0, *, redis_url: str | None = None,
    progress: bool = False,
) -> CrawlSummary:
    """Shared by `crawl` and `run`: config errors become one clean line. ``progress``: see show_progress."""
    from jobtrail.crawler.runner import CrawlError, crawl
    from jobtrail.pipelines.alerts.config import load_channels

    config = obj.config()
    unknown = set(sources or ()) - {s.name for s in config.sources}
    if unknown:
        raise ConfigProblem(f"{config.path}: no source named {', '.join(sorted(unknown))}")
    try:
        load_channels(config)  # a bad [[notify]] is a config error before any fetch, not a crash mid-crawl
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    obj.sessions(create=True)  # open + migrate first, so a DB problem is reported before any fetch
    try:
        overrides = None
        if redis_url:  # scrapy-redis is imported only by crawls that use it
            from jobtrail.crawler.distributed import redis_settings

            overrides = redis_settings(redis_url)
        return crawl(config, obj.database_url, sources, verbose=verbose, overrides=overrides, progress=progress)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None


def show_progress(quiet: bool, as_json: bool, verbose: int) -> bool:
    """A live progress line only for a person at a terminal: never in cron, pipes, --json or with the log."""
    return not (quiet or as_json or verbose) and sys.stderr.isatty()


def report_orphans(obj: CliContext) -> None:
    """Once per source: it is stored but no longer in the config (kept, never reported as failing)."""
    from jobtrail.storage.db import transaction
    from jobtrail.storage.sources import retire_missing

    config = obj.config()
    with transaction(obj.sessions()) as session:
        orphans = retire_missing(session, [source.name for source in config.sources])
    for name in orphans:
        click.echo(
            f"jobtrail: source {name} orphaned: stored but no longer in {config.path}; its history is kept "
            f"(`jobtrail sources remove {name} --purge --yes` deletes it, `jobtrail sources rename` renames it)",
            err=True,
        )


def print_summary(summary: CrawlSummary, *, quiet: bool = False, verbose: int = 0) -> None:
    """The table on stdout (not with --quiet); one line per failed or empty source on stderr."""
    if not quiet:
        click.echo(f"{'source':<24} {'status':<7} {'new':>5} {'changed':>7} {'closed':>6} {'unchanged':>9}")
        for result in summary.sources:
            click.echo(
                f"{result.source:<24} {result.status:<7} {result.new:>5} {result.changed:>7} {result.closed:>6} "
                f"{result.unchanged:>9}" + (f"  (+{result.reopened} reopened)" if result.reopened else "")
                + (f"  ({result.skipped} skipped: not postings)" if verbose and result.skipped else "")
            )
            if result.note:
                click.echo(f"{'':<24} {result.note}")
    for line in problem_lines(summary):
        click.echo(line, err=True)


def problem_lines(summary: CrawlSummary) -> list[str]:
    """What cron should mail: 'jobtrail: source NAME failed: REASON', one line each."""
    lines = []
    for result in summary.sources:
        if result.status != "ok":
            reason = (result.error or "no reason recorded").splitlines()[0]
            lines.append(f"jobtrail: source {result.source} {result.status}: {reason}")
        elif result.postings_seen == 0:
            lines.append(f"jobtrail: source {result.source} empty: no postings found (is the URL still the "
                         "careers page?)")
    return lines
