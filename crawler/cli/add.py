"""`jobtrail add URL`: detect the source behind a URL and append it to jobtrail.toml."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.cli.context import CliContext

if TYPE_CHECKING:
    from jobtrail.crawler.sources.onboard import NewSource
from jobtrail.crawler.sources.registry import known_kinds

KIND_CHOICES = ["auto", "page", *(kind for kind in known_kinds() if kind not in ("auto", "page"))]


@click.command("add")
@click.argument("url")
@click.option("--name", help="Source name (default: the board or the site's name).")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="auto", show_default=True,
              help="Source kind; auto detects the ATS from the URL or the page.")
@click.option("--no-check", is_flag=True, help="Do not fetch the API or crawl the page to count postings.")
@click.option("--render", type=click.Choice(["http", "browser"]), default="http", show_default=True,
              help="browser: render the site's pages in headless Chromium (script-built listings).")
@click.option("--force", is_flag=True, help="Add a careers page even when no postings are found on it.")
@click.pass_obj
def add_command(obj: CliContext, url: str, name: str | None, kind: str, no_check: bool, render: str,
                force: bool) -> None:
    """Add a careers page or ATS board to the config file.

    A careers page (no ATS behind it) is crawled once without writing the database, as
    `jobtrail check` does; a page where no postings are found is refused (say why) unless
    --force, and a script-built page gets the suggestion to add it with --render browser.

    \b
    Examples:
      jobtrail add https://ahrefs.com/careers       # finds the ATS behind the page
      jobtrail add https://jobs.lever.co/palantir --name palantir
      jobtrail add https://boards.greenhouse.io/acme --no-check
      jobtrail add https://games.example/jobs --render browser
    """
    from dataclasses import replace

    from jobtrail.crawler.sources.onboard import AddError, append, count_postings, plan

    if not re.match(r"https?://", url):
        raise click.ClickException(f"not an http(s) URL: {url!r}")
    try:
        source = replace(plan(url, name=name, kind=kind), render=render)
        click.echo(f"kind:     {source.kind}")
        click.echo(f"board:    {source.board or '-'}")
        if not no_check and source.kind == "page":
            check_page(obj, source, force=force)
        elif not no_check:
            count, more = count_postings(source)
            click.echo(f"postings: {count}{'+ (more pages)' if more else ''}")
        append(obj.config_path, source)
    except AddError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added source {source.name!r} to {obj.config_path}")


def check_page(obj: CliContext, source: NewSource, *, force: bool) -> None:
    """Crawl the careers page once (nothing written); refuse it when no postings are found."""
    from jobtrail.crawler.dryrun import check_source
    from jobtrail.crawler.sources.onboard import AddError

    report = check_source(obj.config(required=False), source.config())
    click.echo(f"postings: {len(report.postings)}")
    if report.status == "ok":
        return
    reason = f"{report.status}: {report.message or 'no postings found'}"
    if report.message and "JavaScript" in report.message and source.render != "browser":
        reason += f" -- try: jobtrail add {source.url} --render browser"
    if not force:
        raise AddError(f"not added, {reason} (`jobtrail check {source.url}` shows why; --force adds it anyway)")
    click.echo(f"warning: {reason}", err=True)


COMMANDS = [add_command]
