"""`jobtrail check NAME|URL`: what a crawl of one source would do, without writing the database."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.cli.context import CliContext, ConfigProblem

if TYPE_CHECKING:
    from jobtrail.crawler.dryrun import CheckReport
    from jobtrail.crawler.sources.config import Config, SourceConfig


@click.command("check")
@click.argument("target")
@click.option("--render", type=click.Choice(["http", "browser"]), default=None,
              help="Fetch pages with plain HTTP or headless Chromium (default: the source's setting).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-v", "--verbose", count=True, help="Scrapy log: -v INFO, -vv DEBUG.")
@click.pass_obj
def check_command(obj: CliContext, target: str, render: str | None, as_json: bool, verbose: int) -> None:
    """Crawl one source (a name from the config, or any careers URL) and show what a crawl
    would do: the listing pages fetched, the links taken as postings and why (template,
    structure, probe, sitemap, pattern, jsonld), the links left out and why, and each
    posting's title and section counts. Nothing is written to the database.

    Exit code 0 when postings were found, 1 when the source failed or came back empty.

    \b
    Examples:
      jobtrail check acme
      jobtrail check https://careers.example.com/open-positions
      jobtrail check https://jobs.example.com --render browser --json
    """
    from dataclasses import replace

    from jobtrail.crawler.dryrun import check_source
    from jobtrail.crawler.runner import CrawlError

    config, source = resolve_target(obj, target)
    if render:
        source = replace(source, render=render)
    try:
        result = check_source(config, source, verbose=verbose)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_report(result)
    raise SystemExit(0 if result.status == "ok" else 1)


def resolve_target(obj: CliContext, target: str) -> tuple[Config, SourceConfig]:
    """A configured source by name, else a URL as a new source (kind auto) would be added."""
    from urllib.parse import urlsplit

    from jobtrail.crawler.sources.config import SourceConfig

    config = obj.config(required=False)
    for source in config.sources:
        if source.name == target:
            return config, source
    if not re.match(r"https?://", target):
        known = ", ".join(s.name for s in config.sources) or "none"
        raise ConfigProblem(f"{target!r} is neither a source in {obj.config_path} (known: {known}) nor an http(s) URL")
    name = (urlsplit(target).hostname or "source").removeprefix("www.")
    return config, SourceConfig(name=name, url=target)


def print_report(report: CheckReport) -> None:
    click.echo(f"source {report.source}  {report.url or ''}")
    click.echo(f"status {report.status}" + (f": {report.message}" if report.message else ""))
    click.echo(f"\nlisting pages fetched ({len(report.listing_pages)}):")
    for url in report.listing_pages:
        click.echo(f"  {url}")
    click.echo(f"\nlinks taken as postings ({len(report.taken)}):")
    for link in report.taken:
        click.echo(f"  {link.why:<10} {link.url}" + (f"  \"{link.title}\"" if link.title else ""))
    click.echo(f"\nlinks left out ({len(report.left_out)}):")
    for link in report.left_out:
        click.echo(f"  {link.url}  ({link.why})")
    if report.skipped:
        click.echo(f"\npages skipped, not postings ({len(report.skipped)}):")
        for line in report.skipped:
            click.echo(f"  {line}")
    click.echo(f"\npostings read ({len(report.postings)}), {report.pages} page(s) fetched:")
    for posting in report.postings:
        counts = ", ".join(f"{name} {count}" for name, count in posting.sections.items())
        click.echo(f"  {posting.title}  [{counts}]\n    {posting.url}")


COMMANDS = [check_command]
