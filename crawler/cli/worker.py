"""`jobtrail worker` and `jobtrail cycle start|status`: crawling with several machines (docs/scale-out.md)."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from jobtrail.crawler.cli.context import CliContext, ConfigProblem
from jobtrail.crawler.sources.config import ConfigError
from jobtrail.pipelines import format as fmt

# Scrapy, SQLAlchemy and apprise load when a command runs, never for `jobtrail --help`
# (tests/test_cli_startup.py): each command imports what it needs.


def _checked(obj: CliContext) -> None:
    """Config, channels and a PostgreSQL URL, or one clean line and exit 2."""
    from jobtrail.pipelines.alerts.config import load_channels
    from jobtrail.storage.db import normalize_url

    config = obj.config()
    if not config.sources:
        raise ConfigProblem(f"{config.path}: no [[sources]] to crawl")
    try:
        load_channels(config)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    if not normalize_url(obj.database_url).startswith("postgresql"):
        raise ConfigProblem("workers and cycles need PostgreSQL: the shared database is also the queue "
                            "(set [database] url or --db)")
    try:
        import procrastinate  # noqa: F401 - only checks that the extra is installed
    except ImportError:
        raise ConfigProblem('workers need the PostgreSQL extra: pip install "jobtrail[postgres]"') from None


@click.command("worker")
@click.option("--concurrency", type=int, help="Jobs (hosts) crawled at once [JOBTRAIL_WORKER_CONCURRENCY].")
@click.option("--name", help="Worker name in logs and in the queue (default: a random one).")
@click.option("-v", "--verbose", count=True, help="Log: -v INFO, -vv DEBUG.")
@click.pass_obj
def worker_command(obj: CliContext, concurrency: int | None, name: str | None, verbose: int) -> None:
    """Crawl the sources of queued cycles until stopped (SIGTERM finishes the jobs in progress).

    Runs on every crawl machine, against the shared PostgreSQL database (which is also the
    queue). Start a cycle with `jobtrail cycle start` from one machine (cron).

    \b
    Examples:
      jobtrail --db postgresql://jobtrail@db-host/jobtrail worker
      jobtrail worker --concurrency 8 -v
    """
    import logging

    from jobtrail.crawler.runner import build_settings
    from jobtrail.crawler.worker import run_worker

    _checked(obj)
    obj.sessions()  # migrate (and report a DB problem) before starting
    level = {0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG")
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    settings = build_settings(obj.config(), obj.database_url, "", {"LOG_LEVEL": level})
    run_worker(obj.config(), obj.database_url, settings,
               concurrency=concurrency or settings.getint("JOBTRAIL_WORKER_CONCURRENCY"), name=name)


@click.group("cycle")
def cycle_group() -> None:
    """Cycles of a distributed crawl: every source crawled and judged once per cycle."""


@cycle_group.command("start")
@click.option("--per-job", type=int, help="Sources of one host per queued job [JOBTRAIL_SOURCES_PER_JOB].")
@click.option("--json", "as_json", is_flag=True, help="Print the new cycle as JSON.")
@click.pass_obj
def cycle_start(obj: CliContext, per_job: int | None, as_json: bool) -> None:
    """Start a cycle: register the sources and queue them for the workers.

    An unfinished previous cycle is superseded (its queued jobs are cancelled, its running
    leases end), so a killed cycle never blocks the next one.

    \b
    Examples:
      jobtrail cycle start
      0 */6 * * *  cd /srv/jobtrail && jobtrail cycle start    # crontab: every 6 hours
    """
    from jobtrail.crawler.runner import build_settings
    from jobtrail.crawler.worker import start_cycle

    _checked(obj)
    obj.sessions()
    settings = build_settings(obj.config(), obj.database_url, "")
    started = start_cycle(obj.config(), obj.database_url,
                          per_job=per_job or settings.getint("JOBTRAIL_SOURCES_PER_JOB"))
    if as_json:
        click.echo(json.dumps({"schema": 1, **asdict(started)}))
    else:
        click.echo(f"cycle {started.cycle_id}: {started.sources} sources queued in {started.jobs} jobs"
                   + (f" ({started.superseded} unfinished cycle superseded)" if started.superseded else ""))


@cycle_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def cycle_status(obj: CliContext, as_json: bool) -> None:
    """Show the latest distributed cycle: sources queued, running and judged.

    \b
    Example:
      jobtrail cycle status --json
    """
    from jobtrail.storage import leases
    from jobtrail.storage.db import transaction

    with transaction(obj.sessions()) as session:
        cycle = leases.current_cycle(session)
        progress = leases.progress(session, cycle.id) if cycle else None
    if progress is None:
        raise click.ClickException("no cycle has been started (jobtrail cycle start)")
    data = {"cycle": progress.cycle.id, "status": progress.cycle.status,
            "started_at": fmt.iso(progress.cycle.started_at), "queued": progress.queued,
            "running": progress.running, "done": progress.done}
    if as_json:
        click.echo(json.dumps({"schema": 1, **data}))
    else:
        click.echo(" ".join(f"{key}={value}" for key, value in data.items()))


COMMANDS = [worker_command, cycle_group]
