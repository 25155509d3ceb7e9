"""`jobtrail crawl`: crawl the configured sources once (made for cron)."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from jobtrail.crawler.cli.context import CliContext, ConfigProblem
from jobtrail.crawler.cli.options import crawl_log_options, sources_option, wait_option
from jobtrail.crawler.cli.running import print_summary, report_orphans, run_crawl, run_lock, show_progress


@click.command("crawl")
@sources_option
@crawl_log_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@wait_option()
@click.option("--redis", "redis_url", envvar="JOBTRAIL_REDIS_URL",
              help="Keep this crawl's request queue in Redis (scrapy-redis). Several machines: see `jobtrail worker`.")
@click.pass_obj
def crawl_command(
    obj: CliContext, sources: tuple[str, ...], quiet: bool, verbose: int, debug: bool, as_json: bool, wait: float,
    redis_url: str | None,
) -> None:
    """Crawl every source in the config into the database.

    Exit code 0 when every source crawled, 1 when any source failed or came back
    `empty` (no postings found, never had any: a hint says what to try; the others are
    still crawled and stored), 2 on a config error, 75 when another run holds the lock.
    With -v, pages that discovery reached and skipped (not postings) are counted.

    \b
    Examples:
      jobtrail crawl
      jobtrail crawl --source ahrefs -v
      jobtrail crawl --redis redis://queue-host:6379/0       # the request queue in Redis
      0 7 * * *  cd /srv/jobtrail && jobtrail crawl --quiet     # crontab
    """
    config = obj.config()
    if not config.sources:
        raise ConfigProblem(f"{config.path}: no [[sources]] to crawl")
    with run_lock(obj, "crawl", wait):
        level = 2 if debug else verbose
        summary = run_crawl(obj, list(sources) or None, level, redis_url=redis_url,
                            progress=show_progress(quiet, as_json, level))
    if as_json:
        click.echo(json.dumps([asdict(s) for s in summary.sources], indent=2))
    else:
        print_summary(summary, quiet=quiet, verbose=verbose)
    report_orphans(obj)
    raise SystemExit(summary.exit_code)


COMMANDS = [crawl_command]
